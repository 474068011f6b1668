package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Send-queue capacity and flow control: a receiver that stops reading closes the sender's window. */
class KcpEngineWindowTest {

    @Test
    void sendQueueHoldsTwiceTheSendWindow() {
        KcpConfig config = KcpConfig.fast3().withWindows(4, 4);
        int mss = config.mss();
        KcpEngine e = new KcpEngine(1, config, new PacketRecorder());
        assertEquals(8 * mss, e.sendCapacity());
        assertEquals(10, e.send(new byte[10], 0, 10));
        assertEquals(8 * mss - 10, e.sendCapacity(), "the partial tail segment is topped up first");
        assertEquals(8 * mss - 10, e.send(new byte[10 * mss], 0, 10 * mss));
        assertEquals(8, e.waitingSegments());
        assertEquals(0, e.sendCapacity());
        assertEquals(0, e.send(new byte[1], 0, 1));
        e.flush(0);
        assertEquals(8, e.waitingSegments(), "in flight still counts until acked");
        assertEquals(0, e.send(new byte[1], 0, 1));
    }

    @Test
    void zeroWindowIsProbedAndReopens() {
        PacketRecorder seenByB = new PacketRecorder();
        KcpConfig configA = KcpConfig.fast3().withWindows(4, 32);
        KcpConfig configB = KcpConfig.fast3().withWindows(32, 4);
        PacketPipe pipe = new PacketPipe(9, configA, configB);
        pipe.dropToB(p -> {
            seenByB.output(p, p.length);
            return false;
        });
        byte[] data = new byte[12 * configA.mss()];
        Arrays.fill(data, (byte) 7);
        int sent = pipe.a.send(data, 0, data.length);
        assertEquals(8 * configA.mss(), sent);

        long now = 0;
        pipe.a.flush(now);
        pipe.deliver(now);
        pipe.a.flush(now); // acks came back with wnd 0: nothing new may go, the probe timer starts
        pipe.deliver(now);
        assertEquals(4, pipe.b.readable() / configA.mss());
        assertEquals(4, seenByB.segments(KcpWire.CMD_PUSH).size());
        assertEquals(0, pipe.a.stats().segmentsSent() - 4, "A sent only what the window allowed");

        // Run the timers for 2.6 s without reading at B: two probes (after 1 s, then 1.5 s later), each answered.
        seenByB.clear();
        now = runTimers(pipe, now, 2_600);
        List<WireSegment> asks = seenByB.segments(KcpWire.CMD_WASK);
        assertEquals(List.of(1000, 2500), asks.stream().map(WireSegment::ts).toList());
        assertTrue(seenByB.segments(KcpWire.CMD_PUSH).isEmpty(), "no data into a closed window");
        assertEquals(0, pipe.b.stats().retransmits() + pipe.a.stats().retransmits());

        // B reads: its window reopens, it tells A at once, and A resumes.
        byte[] sink = new byte[data.length];
        int got = pipe.b.receive(sink, 0, sink.length);
        pipe.b.flush(now);
        pipe.deliver(now);
        pipe.a.flush(now);
        pipe.deliver(now);
        assertEquals(4, seenByB.segments(KcpWire.CMD_PUSH).size(), "four more segments after the reopen");
        while (got < sent) {
            assertTrue(now < 10_000, "stalled at " + got);
            got += pipe.b.receive(sink, got, sink.length - got);
            pipe.b.flush(now);
            pipe.deliver(now);
            now = runTimers(pipe, now, 1);
        }
        assertEquals(0, pipe.a.waitingSegments());
        assertTrue(Arrays.equals(Arrays.copyOf(data, sent), Arrays.copyOf(sink, got)));
        assertFalse(pipe.a.isDead());
    }

    /** Calls update() on both engines at each time they ask for, delivering packets in between. */
    private static long runTimers(PacketPipe pipe, long now, long duration) {
        long end = now + duration;
        while (now < end) {
            long at = Math.min(Math.min(pipe.a.nextUpdate(now), pipe.b.nextUpdate(now)), end);
            now = Math.max(at, now + 1);
            pipe.a.update(now);
            pipe.b.update(now);
            pipe.deliver(now);
        }
        return now;
    }
}
