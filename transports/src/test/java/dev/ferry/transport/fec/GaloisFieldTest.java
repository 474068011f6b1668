package dev.ferry.transport.fec;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.ferry.transport.fec.FecTestSupport.slowMul;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GaloisFieldTest {

    @Test
    void tablesAgreeWithTheDefinitionForEveryPair() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                assertEquals(slowMul(a, b), GaloisField.mul(a, b), a + " * " + b);
            }
        }
    }

    @Test
    void everyNonZeroElementHasItsInverse() {
        for (int a = 1; a < 256; a++) {
            assertEquals(1, GaloisField.mul(a, GaloisField.inverse(a)), "a = " + a);
        }
        assertThrows(ArithmeticException.class, () -> GaloisField.inverse(0));
    }

    @Test
    void wordWiseAddMatchesTheScalarProductAtAnyOffsetAndLength() {
        long seed = 0x60ADL;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            int c = rnd.nextInt(256);
            int len = rnd.nextInt(100);
            int srcOff = rnd.nextInt(9);
            int dstOff = rnd.nextInt(9);
            byte[] src = new byte[srcOff + len + rnd.nextInt(3)];
            byte[] dst = new byte[dstOff + len + rnd.nextInt(3)];
            rnd.nextBytes(src);
            rnd.nextBytes(dst);
            byte[] expected = dst.clone();
            for (int i = 0; i < len; i++) {
                expected[dstOff + i] ^= (byte) slowMul(c, src[srcOff + i] & 0xFF);
            }
            GaloisField.mulAdd(c, src, srcOff, dst, dstOff, len);
            assertArrayEquals(expected, dst, "seed " + seed + " round " + round + " c " + c + " len " + len);
        }
    }

    @Test
    void bulkKernelsMatchTheScalarProduct() {
        long seed = 0xF1E1DL;
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] src = new byte[300];
        rnd.nextBytes(src);
        for (int c = 0; c < 256; c++) {
            byte[] set = new byte[310];
            GaloisField.mulSet(c, src, 0, set, 5, src.length);
            byte[] add = set.clone();
            GaloisField.mulAdd(c, src, 0, add, 5, src.length);
            for (int i = 0; i < src.length; i++) {
                int p = slowMul(c, src[i] & 0xFF);
                assertEquals(p, set[5 + i] & 0xFF, "seed " + seed + " c " + c + " i " + i);
                assertEquals(0, add[5 + i], "x + x = 0; seed " + seed + " c " + c + " i " + i);
            }
        }
    }

    @Test
    void invertedTimesOriginalIsTheIdentity() {
        long seed = 42;
        SplittableRandom rnd = new SplittableRandom(seed);
        int checked = 0;
        while (checked < 50) {
            int n = 1 + rnd.nextInt(12);
            byte[][] m = new byte[n][n];
            for (byte[] row : m) {
                rnd.nextBytes(row);
            }
            byte[][] inv;
            try {
                inv = GaloisField.invert(m);
            } catch (IllegalArgumentException singular) {
                continue;
            }
            for (int r = 0; r < n; r++) {
                byte[] row = new byte[n];
                for (int c = 0; c < n; c++) {
                    int s = 0;
                    for (int x = 0; x < n; x++) {
                        s ^= slowMul(m[r][x] & 0xFF, inv[x][c] & 0xFF);
                    }
                    row[c] = (byte) s;
                }
                byte[] unit = new byte[n];
                unit[r] = 1;
                assertArrayEquals(unit, row, "seed " + seed + " n " + n + " row " + r);
            }
            checked++;
        }
    }

    @Test
    void singularMatrixIsRefused() {
        byte[][] m = {{1, 2}, {2, 4}};
        assertThrows(IllegalArgumentException.class, () -> GaloisField.invert(m));
    }
}
