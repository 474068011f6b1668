package dev.ferry.transport.fec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/** Shared helpers: capturing sinks, random bodies, a slow reference model of the field. */
final class FecTestSupport {
    static final HexFormat HEX = HexFormat.of();

    private FecTestSupport() {
    }

    /** Copies every shard an encoder emits (the encoder reuses its buffers). */
    static final class Shards implements ShardSink {
        final List<byte[]> list = new ArrayList<>();

        @Override
        public void shard(byte[] buf, int off, int len) {
            list.add(Arrays.copyOfRange(buf, off, off + len));
        }
    }

    /** Records every body a decoder delivers, as hex. */
    static final class Bodies implements BodySink {
        final List<String> list = new ArrayList<>();

        @Override
        public void body(byte[] buf, int off, int len) {
            list.add(HEX.formatHex(buf, off, off + len));
        }
    }

    /** A body of random length in [0, maxLength], sometimes exactly 0 or maxLength. */
    static byte[] body(SplittableRandom rnd, int maxLength) {
        int pick = rnd.nextInt(10);
        int len = pick == 0 ? 0 : pick == 1 ? maxLength : rnd.nextInt(maxLength + 1);
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        return b;
    }

    static List<String> sorted(Collection<String> c) {
        List<String> l = new ArrayList<>(c);
        l.sort(null);
        return l;
    }

    static <T> void shuffle(List<T> l, SplittableRandom rnd) {
        for (int i = l.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            T t = l.get(i);
            l.set(i, l.get(j));
            l.set(j, t);
        }
    }

    static int index(byte[] shard) {
        return shard[FecFormat.OFF_INDEX] & 0xFF;
    }

    static int dataCount(byte[] shard) {
        return shard[FecFormat.OFF_DATA_COUNT] & 0xFF;
    }

    static boolean isData(byte[] shard) {
        return index(shard) < dataCount(shard);
    }

    /** Shift-and-add multiplication modulo 0x11D: the field by its definition, independent of the tables. */
    static int slowMul(int a, int b) {
        int r = 0;
        while (b != 0) {
            if ((b & 1) != 0) {
                r ^= a;
            }
            a <<= 1;
            if ((a & 0x100) != 0) {
                a ^= 0x11D;
            }
            b >>= 1;
        }
        return r;
    }

    static int slowInverse(int a) {
        for (int x = 1; x < 256; x++) {
            if (slowMul(a, x) == 1) {
                return x;
            }
        }
        throw new ArithmeticException("no inverse of " + a);
    }
}
