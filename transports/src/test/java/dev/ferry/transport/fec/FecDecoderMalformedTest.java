package dev.ferry.transport.fec;

import dev.ferry.transport.fec.FecTestSupport.Bodies;
import dev.ferry.transport.fec.FecTestSupport.Shards;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.ferry.transport.fec.FecTestSupport.HEX;
import static dev.ferry.transport.fec.FecTestSupport.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed shards are refused: false, counted, nothing delivered, and the group they claim to be in unharmed. */
class FecDecoderMalformedTest {
    private static final int MAX_BODY = 32;
    private static final int GROUP = 5;

    private static byte[] shard(int group, int index, int k, int m, int payloadLength) {
        byte[] b = new byte[FecFormat.HEADER_LENGTH + payloadLength];
        FecFormat.writeHeader(b, 0, group, index, k, m);
        return b;
    }

    /** The honest group the bad shards pretend to join: (3,2), three bodies of 10 bytes, so S = 12. */
    private static final class Honest {
        final List<byte[]> bodies;
        final List<byte[]> shards;

        Honest() {
            SplittableRandom rnd = new SplittableRandom(GROUP);
            FecEncoder enc = new FecEncoder(new FecShape(3, 2), MAX_BODY, GROUP);
            Shards out = new Shards();
            bodies = List.of(new byte[10], new byte[10], new byte[10]);
            for (byte[] b : bodies) {
                rnd.nextBytes(b);
                enc.onData(b, 0, b.length, out);
            }
            shards = out.list;
        }

        void feed(FecDecoder dec, Bodies sink, int... indexes) {
            for (int i : indexes) {
                byte[] s = shards.get(i);
                assertTrue(dec.onShard(s, 0, s.length, sink), "honest shard " + i);
            }
        }
    }

    private static Map<String, byte[]> headerFaults() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("empty", new byte[0]);
        m.put("6 bytes", new byte[6]);
        m.put("data count 0", shard(GROUP, 0, 0, 1, 1));
        m.put("k + m = 129", shard(GROUP, 0, 100, 29, 1));
        m.put("index = k + m", shard(GROUP, 5, 3, 2, 12));
        m.put("index 255", shard(GROUP, 255, 3, 2, 12));
        m.put("data body longer than the limit", shard(GROUP, 0, 3, 2, MAX_BODY + 1));
        m.put("parity shorter than a length prefix", shard(GROUP, 3, 3, 2, 1));
        m.put("parity longer than the limit", shard(GROUP, 3, 3, 2, MAX_BODY + 3));
        return m;
    }

    /** Faults against a group that has seen data shards 0 and 2 (planned 3,2; bodies of 10 bytes). */
    private static Map<String, byte[]> faultsAfterData() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("data with another planned k", shard(GROUP, 1, 4, 2, 10));
        m.put("data with another m", shard(GROUP, 1, 3, 1, 10));
        m.put("parity with k' above the planned k", shard(GROUP, 4, 4, 2, 12));
        m.put("parity with another m", shard(GROUP, 3, 3, 1, 12));
        m.put("parity too short for a body seen", shard(GROUP, 3, 3, 2, 11));
        m.put("parity with k' not covering a data index seen", shard(GROUP, 2, 2, 2, 12));
        return m;
    }

    /** Faults against a group that has seen parity shard 3 (final 3,2; S = 12). */
    private static Map<String, byte[]> faultsAfterParity() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("parity of another length", shard(GROUP, 4, 3, 2, 13));
        m.put("parity with another k", shard(GROUP, 3, 2, 2, 12));
        m.put("parity with another m", shard(GROUP, 4, 3, 3, 12));
        m.put("data index beyond the final k", shard(GROUP, 3, 4, 2, 10));
        m.put("data longer than the parity allows", shard(GROUP, 0, 3, 2, 11));
        m.put("data announcing fewer than the final k", shard(GROUP, 0, 2, 2, 10));
        return m;
    }

    private static void check(Map<String, byte[]> faults, int[] before, int[] after) {
        for (Map.Entry<String, byte[]> f : faults.entrySet()) {
            Honest honest = new Honest();
            FecDecoder dec = new FecDecoder(DecoderLimits.forBodyLength(MAX_BODY));
            Bodies sink = new Bodies();
            honest.feed(dec, sink, before);
            int deliveredBefore = sink.list.size();
            byte[] bad = f.getValue();
            assertFalse(dec.onShard(bad, 0, bad.length, sink), f.getKey());
            assertEquals(1, dec.malformed(), f.getKey());
            assertEquals(deliveredBefore, sink.list.size(), f.getKey() + ": nothing delivered");
            honest.feed(dec, sink, after);
            assertEquals(sorted(honest.bodies.stream().map(HEX::formatHex).toList()), sorted(sink.list),
                    f.getKey() + ": the honest group still recovers");
            assertEquals(1, dec.recovered(), f.getKey());
        }
    }

    @Test
    void badHeadersAndLengths() {
        check(headerFaults(), new int[] {}, new int[] {0, 2, 3});
    }

    @Test
    void shardsThatContradictTheirGroupsDataShards() {
        check(faultsAfterData(), new int[] {0, 2}, new int[] {3});
    }

    @Test
    void shardsThatContradictTheirGroupsParity() {
        check(faultsAfterParity(), new int[] {3}, new int[] {0, 2});
    }

    @Test
    void impossibleRebuiltLengthGivesTheGroupUp() {
        FecDecoder dec = new FecDecoder(DecoderLimits.forBodyLength(MAX_BODY));
        Bodies sink = new Bodies();
        byte[] parity = shard(9, 1, 1, 1, 3);
        parity[FecFormat.HEADER_LENGTH] = (byte) 0xFF; // rebuilt prefix 0xFF00 > the 1 byte a body may have here
        assertFalse(dec.onShard(parity, 0, parity.length, sink));
        assertEquals(1, dec.malformed());
        assertEquals(List.of(), sink.list);
        byte[] data = shard(9, 0, 1, 1, 1);
        data[FecFormat.HEADER_LENGTH] = 0x42;
        assertTrue(dec.onShard(data, 0, data.length, sink), "the data shard itself is still fine");
        assertEquals(List.of("42"), sink.list);
        assertEquals(0, dec.recovered());
    }

    @Test
    void sinkMayNotCallBack() {
        FecDecoder dec = new FecDecoder(DecoderLimits.forBodyLength(MAX_BODY));
        byte[] data = shard(1, 0, 1, 1, 1);
        BodySink reentrant = (buf, off, len) -> dec.onShard(data, 0, data.length, (b, o, l) -> { });
        assertThrows(IllegalStateException.class, () -> dec.onShard(data, 0, data.length, reentrant));
        assertThrows(IndexOutOfBoundsException.class, () -> dec.onShard(data, 1, data.length, reentrant));
    }
}
