package dev.ferry.transport.fec;

import dev.ferry.transport.fec.FecTestSupport.Bodies;
import dev.ferry.transport.fec.FecTestSupport.Shards;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever arrives, the decoder's memory stays within its {@link DecoderLimits}. */
class FecDecoderBoundsTest {
    private static final int MAX_BODY = 64;
    private static final DecoderLimits SMALL = new DecoderLimits(MAX_BODY, 8, 32,
            3 * FecFormat.MAX_GROUP_SHARDS * (MAX_BODY + 2));

    /** Shards of one group sent by an honest encoder: group number {@code group}, shape (k, m), bodies of 8 bytes. */
    private static List<byte[]> group(int group, int k, int m) {
        FecEncoder enc = new FecEncoder(new FecShape(k, m), MAX_BODY, group);
        Shards out = new Shards();
        for (int i = 0; i < k; i++) {
            enc.onData(new byte[8], 0, 8, out);
        }
        return out.list;
    }

    private static void feed(FecDecoder dec, Bodies sink, List<byte[]> shards, int... indexes) {
        for (int i : indexes) {
            byte[] s = shards.get(i);
            assertTrue(dec.onShard(s, 0, s.length, sink), "shard " + i);
        }
    }

    /** A shard whose header is plausible for its group (same shape per group) but whose bytes are random. */
    private static byte[] hostile(SplittableRandom rnd, int group) {
        SplittableRandom shapeOf = new SplittableRandom(group);
        int k = 1 + shapeOf.nextInt(100);
        int m = shapeOf.nextInt(FecFormat.MAX_GROUP_SHARDS - k + 1);
        int size = FecFormat.LENGTH_PREFIX + shapeOf.nextInt(MAX_BODY + 1);
        int index = rnd.nextInt(k + m);
        int payload = index < k ? rnd.nextInt(size - 1) : size;
        byte[] b = new byte[FecFormat.HEADER_LENGTH + payload];
        rnd.nextBytes(b);
        FecFormat.writeHeader(b, 0, group, index, k, m);
        return b;
    }

    @Test
    void hundredThousandHostileShardsStayWithinTheLimits() {
        long seed = 0x5EED;
        SplittableRandom rnd = new SplittableRandom(seed);
        FecDecoder dec = new FecDecoder(SMALL);
        int[] longest = new int[1];
        BodySink sink = (buf, off, len) -> longest[0] = Math.max(longest[0], len);
        int base = rnd.nextInt();
        int mostOpen = 0;
        long mostBuffered = 0;
        for (int i = 0; i < 100_000; i++) {
            int kind = rnd.nextInt(100);
            byte[] b;
            if (kind < 5) {
                // An honest group with its first data shard lost, mixed into the flood.
                base += 1;
                List<byte[]> g = group(base + 8, 1 + rnd.nextInt(5), 1 + rnd.nextInt(2));
                for (int s = 1; s < g.size(); s++) {
                    dec.onShard(g.get(s), 0, g.get(s).length, sink);
                }
                continue;
            } else if (kind < 60) {
                b = hostile(rnd, base + rnd.nextInt(-40, 8));
            } else if (kind < 90) {
                b = new byte[rnd.nextInt(FecFormat.HEADER_LENGTH + MAX_BODY + 8)];
                rnd.nextBytes(b);
            } else if (kind < 99) {
                base += rnd.nextInt(1, 20);
                b = hostile(rnd, base);
            } else {
                base = rnd.nextInt();
                b = hostile(rnd, base);
            }
            int off = rnd.nextInt(3);
            byte[] framed = new byte[off + b.length + rnd.nextInt(3)];
            System.arraycopy(b, 0, framed, off, b.length);
            dec.onShard(framed, off, b.length, sink);
            String what = "seed " + seed + " shard " + i;
            assertTrue(dec.openGroups() <= SMALL.maxOpenGroups(), what);
            assertTrue(dec.bufferedBytes() <= SMALL.maxBufferedBytes(), what);
            assertTrue(dec.trackedGroups() <= SMALL.groupWindow(), what);
            mostOpen = Math.max(mostOpen, dec.openGroups());
            mostBuffered = Math.max(mostBuffered, dec.bufferedBytes());
        }
        assertEquals(SMALL.maxOpenGroups(), mostOpen, "seed " + seed + ": the flood reached the bound");
        assertTrue(mostBuffered > 0, "seed " + seed);
        assertTrue(longest[0] <= MAX_BODY, "seed " + seed);
        assertTrue(dec.malformed() > 0 && dec.stale() > 0 && dec.recovered() > 0, "seed " + seed
                + ": the flood exercised rejection, staleness and recovery");

        // Still a working decoder afterwards.
        Bodies bodies = new Bodies();
        List<byte[]> g = group(base + 1, 3, 1);
        feed(dec, bodies, g, 1, 2, 3);
        assertEquals(3, bodies.list.size(), "seed " + seed);
    }

    @Test
    void theOldestOpenGroupLosesItsCopiesFirst() {
        FecDecoder dec = new FecDecoder(SMALL);
        Bodies sink = new Bodies();
        List<List<byte[]>> groups = new java.util.ArrayList<>();
        for (int n = 0; n < 10; n++) {
            List<byte[]> g = group(100 + n, 3, 1);
            groups.add(g);
            feed(dec, sink, g, 1, 2); // data 0 lost, parity still to come: the group must keep its copies
            assertEquals(Math.min(n + 1, SMALL.maxOpenGroups()), dec.openGroups(), "after group " + n);
        }
        feed(dec, sink, groups.get(0), 3);
        feed(dec, sink, groups.get(1), 3);
        assertEquals(0, dec.recovered(), "groups 0 and 1 were evicted for 8 and 9");
        feed(dec, sink, groups.get(9), 3);
        assertEquals(1, dec.recovered());
        assertEquals(SMALL.maxOpenGroups() - 1, dec.openGroups());
    }

    @Test
    void theByteBudgetEvictsTooWhenFewGroupsHoldMuch() {
        FecDecoder dec = new FecDecoder(SMALL); // 384 buffers: 3 full groups of 128 shards
        Bodies sink = new Bodies();
        int[] data1to99 = new int[99];
        for (int i = 0; i < data1to99.length; i++) {
            data1to99[i] = i + 1;
        }
        List<List<byte[]>> groups = new java.util.ArrayList<>();
        for (int n = 0; n < 5; n++) {
            List<byte[]> g = group(n, 100, 28);
            groups.add(g);
            feed(dec, sink, g, data1to99); // data 0 lost, no parity yet: 99 copies held per group
            assertTrue(dec.bufferedBytes() <= SMALL.maxBufferedBytes(), "group " + n);
        }
        assertEquals(3, dec.openGroups(), "the byte budget, not the group count (8), evicted");
        feed(dec, sink, groups.get(4), 100);
        assertEquals(1, dec.recovered(), "the newest group kept its copies and recovers");
        feed(dec, sink, groups.get(0), 100);
        assertEquals(1, dec.recovered(), "the oldest lost its copies");
    }

    @Test
    void groupsFarBehindAreStaleAndLeavingTheWindowIsCounted() {
        FecDecoder dec = new FecDecoder(SMALL);
        Bodies sink = new Bodies();
        List<byte[]> first = group(-3, 3, 1); // wraps through 0 on the way
        feed(dec, sink, first, 0, 2, 3);      // lost data 1 rebuilt
        List<byte[]> second = group(-2, 3, 1);
        feed(dec, sink, second, 0, 3);        // two of four lost: given up when it leaves the window
        List<byte[]> third = group(-1, 3, 1);
        feed(dec, sink, third, 0);            // k' unknown: counted as sent up to the highest data index + m
        List<byte[]> far = group(-1 + SMALL.groupWindow(), 1, 1);
        feed(dec, sink, far, 0);
        int before = sink.list.size();
        feed(dec, sink, second, 1);
        assertEquals(before, sink.list.size(), "a group the window has passed is stale");
        assertEquals(1, dec.stale());
        assertEquals(1, dec.givenUp());
        assertEquals(1, dec.recovered());
        assertEquals(3 + 2 + 1, dec.shardsReceived(), "3 of group -3, 2 of group -2, 1 of group -1");
        assertEquals(4 + 4 + 2, dec.shardsSent(), "k' + m of -3 and -2; 1 + m of -1");
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new DecoderLimits(0, 8, 32, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> new DecoderLimits(64, 0, 32, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> new DecoderLimits(64, 8, 48, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> new DecoderLimits(1400, 8, 32, 100_000));
        DecoderLimits d = DecoderLimits.forBodyLength(1400);
        assertEquals(DecoderLimits.DEFAULT_BUFFERED_BYTES, d.maxBufferedBytes());
        assertEquals(FecFormat.MAX_GROUP_SHARDS * (65535 + 2), DecoderLimits.forBodyLength(65535).maxBufferedBytes());
    }
}
