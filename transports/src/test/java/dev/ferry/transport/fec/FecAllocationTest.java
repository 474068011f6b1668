package dev.ferry.transport.fec;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Steady traffic, with a recovery in every group, allocates nothing per shard: buffers are sized once and reused. */
class FecAllocationTest {
    private static final int MAX_BODY = 1400;

    private final FecEncoder encoder = new FecEncoder(new FecShape(10, 3), MAX_BODY, 0);
    private final FecDecoder decoder = new FecDecoder(DecoderLimits.forBodyLength(MAX_BODY));
    private final byte[] body = new byte[MAX_BODY];
    private long delivered;
    private final BodySink sink = (buf, off, len) -> delivered++;
    /** Loses data shard 3 of every group, so each group is rebuilt with the same (cached) pattern. */
    private final ShardSink link = (buf, off, len) -> {
        if ((buf[off + FecFormat.OFF_INDEX] & 0xFF) != 3) {
            decoder.onShard(buf, off, len, sink);
        }
    };

    private void run(int bodies) {
        for (int i = 0; i < bodies; i++) {
            body[i % MAX_BODY] ^= (byte) i;
            encoder.onData(body, 0, 1 + i % MAX_BODY, link);
        }
    }

    @Test
    void steadyTrafficWithLossDoesNotAllocatePerShard() {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());

        run(20_000);
        long before = mx.getCurrentThreadAllocatedBytes();
        run(100_000);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        assertEquals(120_000, delivered, "every lost shard rebuilt");
        assertEquals(12_000, decoder.recovered());
        assertTrue(allocated < 64 * 1024,
                () -> allocated + " bytes allocated for 130000 shards; expected next to nothing");
    }
}
