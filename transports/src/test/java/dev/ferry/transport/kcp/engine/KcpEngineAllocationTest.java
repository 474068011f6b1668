package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Steady bulk transfer allocates nothing per segment: segments are pooled, packets built in one reused array. */
class KcpEngineAllocationTest {
    private static final int SLOTS = 4096;

    /** A FIFO of packets in preallocated slots, so the harness itself does not allocate either. */
    private static final class SlotQueue implements KcpOutput {
        final byte[][] slots;
        final int[] lengths = new int[SLOTS];
        int head;
        int size;

        SlotQueue(int mtu) {
            slots = new byte[SLOTS][mtu];
        }

        @Override
        public void output(byte[] packet, int length) {
            int i = (head + size) % SLOTS;
            System.arraycopy(packet, 0, slots[i], 0, length);
            lengths[i] = length;
            size++;
        }

        boolean deliverOne(KcpEngine to, long now) {
            if (size == 0) {
                return false;
            }
            boolean ok = to.input(slots[head], 0, lengths[head], now);
            head = (head + 1) % SLOTS;
            size--;
            return ok;
        }
    }

    @Test
    void steadyTransferDoesNotAllocatePerSegment() {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());

        KcpConfig config = KcpConfig.fast3().withWindows(256, 256);
        SlotQueue toB = new SlotQueue(config.mtu());
        SlotQueue toA = new SlotQueue(config.mtu());
        KcpEngine a = new KcpEngine(1, config, toB);
        KcpEngine b = new KcpEngine(1, config, toA);
        byte[] chunk = new byte[32 * 1024];
        byte[] sink = new byte[32 * 1024];
        long[] now = {0};

        long warm = transfer(a, b, toB, toA, chunk, sink, 16L << 20, now);
        long before = mx.getCurrentThreadAllocatedBytes();
        long moved = transfer(a, b, toB, toA, chunk, sink, 32L << 20, now);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        assertEquals(16L << 20, warm);
        assertEquals(32L << 20, moved);
        long segments = moved / config.mss();
        assertTrue(allocated < 64 * 1024,
                () -> allocated + " bytes allocated for " + segments + " segments; expected next to nothing");
    }

    private static long transfer(KcpEngine a, KcpEngine b, SlotQueue toB, SlotQueue toA, byte[] chunk, byte[] sink,
                                 long total, long[] clock) {
        long sent = 0;
        long got = 0;
        long now = clock[0];
        while (got < total) {
            if (sent < total) {
                sent += a.send(chunk, 0, (int) Math.min(chunk.length, total - sent));
            }
            a.flush(now);
            while (toB.deliverOne(b, now)) {
                // drained
            }
            int n;
            while ((n = b.receive(sink, 0, sink.length)) > 0) {
                got += n;
            }
            b.flush(now);
            while (toA.deliverOne(a, now)) {
                // drained
            }
            now++;
            if (now >= a.nextUpdate(now)) {
                a.update(now);
            }
            if (now >= b.nextUpdate(now)) {
                b.update(now);
            }
        }
        clock[0] = now;
        return got;
    }
}
