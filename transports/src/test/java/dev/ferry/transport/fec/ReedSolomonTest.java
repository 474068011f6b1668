package dev.ferry.transport.fec;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.ferry.transport.fec.FecTestSupport.HEX;
import static dev.ferry.transport.fec.FecTestSupport.slowInverse;
import static dev.ferry.transport.fec.FecTestSupport.slowMul;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReedSolomonTest {

    /** k data shards of random bytes, followed by m zeroed parity shards. */
    private static byte[][] shards(SplittableRandom rnd, int k, int m, int off, int len) {
        byte[][] s = new byte[k + m][off + len + 3];
        for (int i = 0; i < k; i++) {
            rnd.nextBytes(s[i]);
        }
        return s;
    }

    private static byte[][] copy(byte[][] s) {
        byte[][] c = new byte[s.length][];
        for (int i = 0; i < s.length; i++) {
            c[i] = s[i].clone();
        }
        return c;
    }

    /** Encodes, erases the shards named by {@code lost}, reconstructs, and checks every shard came back. */
    private static void roundTrip(ReedSolomon rs, byte[][] original, boolean[] lost, int off, int len, String what) {
        byte[][] damaged = copy(original);
        boolean[] present = new boolean[lost.length];
        for (int i = 0; i < lost.length; i++) {
            present[i] = !lost[i];
            if (lost[i]) {
                SplittableRandom garbage = new SplittableRandom(i);
                for (int p = off; p < off + len; p++) {
                    damaged[i][p] = (byte) garbage.nextInt();
                }
            }
        }
        rs.reconstruct(damaged, present, off, len);
        for (int i = 0; i < original.length; i++) {
            assertArrayEquals(original[i], damaged[i], what + " shard " + i);
        }
    }

    @Test
    void everyErasurePatternUpTo6x3IsRecovered() {
        long seed = 7;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int k = 1; k <= 6; k++) {
            for (int m = 0; m <= 3; m++) {
                ReedSolomon rs = new ReedSolomon(k, m);
                int n = k + m;
                byte[][] original = shards(rnd, k, m, 1, 17);
                rs.encodeParity(original, 1, java.util.Arrays.copyOfRange(original, k, n), 1, 17);
                int patterns = 0;
                for (int mask = 0; mask < 1 << n; mask++) {
                    if (Integer.bitCount(mask) > m) {
                        continue;
                    }
                    boolean[] lost = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        lost[i] = (mask >>> i & 1) != 0;
                    }
                    roundTrip(rs, original, lost, 1, 17, "seed " + seed + " (" + k + "," + m + ") mask " + mask);
                    patterns++;
                }
                assertTrue(patterns >= 1);
            }
        }
    }

    @Test
    void randomErasurePatternsAreRecovered() {
        int[][] shapes = {{10, 3}, {20, 5}, {1, 1}, {4, 0}, {100, 28}, {200, 56}, {1, 255}};
        for (int[] shape : shapes) {
            long seed = 1000 + shape[0] * 300L + shape[1];
            SplittableRandom rnd = new SplittableRandom(seed);
            int k = shape[0];
            int m = shape[1];
            ReedSolomon rs = new ReedSolomon(k, m);
            for (int round = 0; round < 60; round++) {
                int len = 1 + rnd.nextInt(64);
                byte[][] original = shards(rnd, k, m, 0, len);
                rs.encodeParity(original, 0, java.util.Arrays.copyOfRange(original, k, k + m), 0, len);
                boolean[] lost = new boolean[k + m];
                int erase = rnd.nextInt(m + 1);
                for (int e = 0; e < erase; ) {
                    int i = rnd.nextInt(k + m);
                    if (!lost[i]) {
                        lost[i] = true;
                        e++;
                    }
                }
                roundTrip(rs, original, lost, 0, len, "seed " + seed + " (" + k + "," + m + ") round " + round);
            }
        }
    }

    @Test
    void parityIsTheCauchyCombinationOfTheData() {
        long seed = 99;
        SplittableRandom rnd = new SplittableRandom(seed);
        int k = 5;
        int m = 3;
        ReedSolomon rs = new ReedSolomon(k, m);
        byte[][] s = shards(rnd, k, m, 0, 40);
        rs.encodeParity(s, 0, java.util.Arrays.copyOfRange(s, k, k + m), 0, 40);
        for (int j = 0; j < m; j++) {
            for (int p = 0; p < 40; p++) {
                int expected = 0;
                for (int i = 0; i < k; i++) {
                    expected ^= slowMul(slowInverse((k + j) ^ i), s[i][p] & 0xFF);
                }
                assertEquals(expected, s[k + j][p] & 0xFF, "seed " + seed + " parity " + j + " byte " + p);
            }
        }
    }

    /** Pins the matrix: it is part of the wire format, so changing it breaks older peers. */
    @Test
    void goldenParity() {
        ReedSolomon rs = new ReedSolomon(3, 2);
        byte[][] data = {HEX.parseHex("00010203"), HEX.parseHex("10203040"), HEX.parseHex("ff00ff00")};
        byte[][] parity = new byte[2][4];
        rs.encodeParity(data, 0, parity, 0, 4);
        assertEquals(rs.parityCoefficient(0, 0), slowInverse(3));
        assertEquals(rs.parityCoefficient(1, 2), slowInverse(4 ^ 2));
        assertEquals("f7e41221", HEX.formatHex(parity[0]));
        assertEquals("061ed17b", HEX.formatHex(parity[1]));
    }

    @Test
    void recoveryMatricesAreCachedAndBounded() {
        ReedSolomon rs = new ReedSolomon(4, 4);
        int[] present = {0, 2, 5, 7};
        assertSame(rs.recovery(present), rs.recovery(present.clone()), "same pattern, same matrix");
        for (int mask = 0; mask < 256; mask++) {
            if (Integer.bitCount(mask) == 4) {
                int[] p = new int[4];
                for (int i = 0, a = 0; i < 8; i++) {
                    if ((mask >>> i & 1) != 0) {
                        p[a++] = i;
                    }
                }
                rs.recovery(p);
            }
        }
        assertEquals(ReedSolomon.MAX_RECOVERY_PATTERNS, rs.cachedRecoveries(), "70 patterns seen, 64 kept");
        ReedSolomon big = new ReedSolomon(128, 128);
        int[] p = new int[128];
        for (int shift = 0; shift <= 20; shift++) {
            for (int a = 0; a < 128; a++) {
                p[a] = a + shift;
            }
            big.recovery(p);
        }
        assertEquals(ReedSolomon.RECOVERY_CACHE_BYTES / (128 * 128), big.cachedRecoveries(), "bounded by bytes");
    }

    @Test
    void refusesImpossibleShapesAndPatterns() {
        assertThrows(IllegalArgumentException.class, () -> new ReedSolomon(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ReedSolomon(1, -1));
        assertThrows(IllegalArgumentException.class, () -> new ReedSolomon(200, 57));
        new ReedSolomon(200, 56);
        ReedSolomon rs = new ReedSolomon(3, 2);
        assertThrows(IllegalArgumentException.class, () -> rs.recovery(new int[] {0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> rs.recovery(new int[] {2, 1, 0}));
        assertThrows(IllegalArgumentException.class, () -> rs.recovery(new int[] {0, 1, 5}));
        byte[][] s = new byte[5][4];
        boolean[] present = {true, false, false, true, false};
        assertThrows(IllegalArgumentException.class, () -> rs.reconstruct(s, present, 0, 4));
    }
}
