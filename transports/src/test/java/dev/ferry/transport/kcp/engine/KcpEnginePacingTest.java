package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pacing in the engine, with a declared rate so that the rate is known: PUSH segments leave at the rate (after the
 * burst allowance), retransmissions too, {@link KcpEngine#nextUpdate} names the millisecond the next may go, and
 * acks are never held back.
 */
class KcpEnginePacingTest {
    private static final int CONV = 9;
    /** 100 full segments (1350 wire bytes each) a second: one per 10 ms. */
    private static final long RATE = 135_000;

    private final PacketRecorder out = new PacketRecorder();

    private KcpEngine paced() {
        return new KcpEngine(CONV, KcpConfig.fast3().withWindows(256, 256).withDuplicateBelow(0)
                .withDeclaredRate(RATE), out);
    }

    /** Runs update() whenever the engine asks, until {@code end}; returns the time of each PUSH. */
    private List<Long> pushTimes(KcpEngine e, long from, long end) {
        List<Long> times = new ArrayList<>();
        long now = from;
        while (now <= end) {
            int before = out.segments(KcpWire.CMD_PUSH).size();
            e.update(now);
            for (int i = before; i < out.segments(KcpWire.CMD_PUSH).size(); i++) {
                times.add(now);
            }
            long next = e.nextUpdate(now);
            assertTrue(next > now || out.segments(KcpWire.CMD_PUSH).size() == before,
                    "asked to come back at once after sending what it could at " + now);
            now = Math.max(next, now + 1);
        }
        return times;
    }

    @Test
    void newDataLeavesAtTheDeclaredRate() {
        KcpConfig config = KcpConfig.fast3().withWindows(256, 256).withDuplicateBelow(0);
        PacketPipe pipe = new PacketPipe(CONV, config.withDeclaredRate(RATE), config);
        long[] clock = {0};
        List<Long> times = new ArrayList<>();
        pipe.dropToB(p -> {
            for (WireSegment s : WireSegment.decode(p, 0, p.length)) {
                if (s.cmd() == KcpWire.CMD_PUSH) {
                    times.add(clock[0]);
                }
            }
            return false;
        });
        int mss = config.mss();
        assertEquals(200 * mss, pipe.a.send(new byte[200 * mss], 0, 200 * mss));
        byte[] sink = new byte[64 * 1024];
        for (long now = 0; now < 1000; now = Math.max(pipe.a.nextUpdate(now), now + 1)) {
            clock[0] = now;
            pipe.a.update(now);
            pipe.deliver(now); // B acks at once, so only the pacer holds A back
            while (pipe.b.receive(sink, 0, sink.length) > 0) {
                pipe.b.flush(now);
            }
        }
        long burst = times.stream().filter(t -> t == 0).count();
        assertEquals(Pacer.BURST_SEGMENTS, burst, "the burst allowance first: " + times);
        assertTrue(times.size() >= 99 && times.size() <= 100 + Pacer.BURST_SEGMENTS, times.size() + " in 1 s");
        for (int i = Pacer.BURST_SEGMENTS + 2; i < times.size(); i++) {
            long gap = times.get(i) - times.get(i - 1);
            assertTrue(gap >= 9 && gap <= 11, "one segment per 10 ms, not " + gap + " ms: " + times);
        }
        assertEquals(RATE, pipe.a.stats().pacingRate());
    }

    @Test
    void nextUpdateNamesThePacersNextSlot() {
        // A long interval tick, so that only the pacer decides when the engine wants to run.
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withIntervalMillis(100).withDuplicateBelow(0)
                .withDeclaredRate(RATE), out);
        int mss = e.config().mss();
        e.send(new byte[20 * mss], 0, 20 * mss);
        e.flush(0);
        assertEquals(Pacer.BURST_SEGMENTS, out.segments(KcpWire.CMD_PUSH).size());
        assertEquals(1, e.nextUpdate(0), "one byte short of budget: a millisecond");
        e.update(1);
        assertEquals(Pacer.BURST_SEGMENTS + 1, out.segments(KcpWire.CMD_PUSH).size());
        assertEquals(11, e.nextUpdate(1), "then 10 ms per segment");
        e.flush(5);
        assertEquals(Pacer.BURST_SEGMENTS + 1, out.segments(KcpWire.CMD_PUSH).size(), "a flush does not jump ahead");
    }

    @Test
    void retransmissionsArePacedToo() {
        KcpEngine e = paced();
        int mss = e.config().mss();
        e.send(new byte[30 * mss], 0, 30 * mss);
        List<Long> first = pushTimes(e, 0, 400);
        assertEquals(30, first.size(), "all sent once within 400 ms");
        // Sns 10..29 are acked in two packets, ten at a time: 0..9 are skipped twice and all due for a fast
        // retransmission at once.
        for (int from = 10; from < 30; from += 10) {
            WireSegment[] acks = new WireSegment[10];
            for (int i = 0; i < 10; i++) {
                acks[i] = WireSegment.control(CONV, KcpWire.CMD_ACK, from + i, 0, 256, first.get(29).intValue());
            }
            byte[] p = WireSegment.encode(acks);
            assertTrue(e.input(p, 0, p.length, 500));
        }
        out.clear();
        List<Long> again = pushTimes(e, 500, 700);
        assertEquals(10, again.size(), again.toString());
        assertEquals(10, e.stats().fastRetransmits());
        assertEquals(Pacer.BURST_SEGMENTS, again.stream().filter(t -> t == 500).count(), "the burst: " + again);
        assertTrue(again.get(9) - again.get(0) >= 50, "the rest at 10 ms each, not at once: " + again);
    }

    @Test
    void acksAreNeverHeldBack() {
        KcpEngine e = paced();
        int mss = e.config().mss();
        e.send(new byte[100 * mss], 0, 100 * mss);
        e.flush(0); // the burst: the pacer's budget is spent
        out.clear();
        for (int sn = 0; sn < 10; sn++) {
            byte[] p = WireSegment.encode(WireSegment.push(CONV, sn, 0, 256, 0, new byte[100]));
            assertTrue(e.input(p, 0, p.length, 0));
        }
        assertEquals(10, out.segments(KcpWire.CMD_ACK).size(), "each input acked at once");
        assertEquals(0, out.segments(KcpWire.CMD_PUSH).size(), "while no data may go");
    }

    @Test
    void unpacedControllersAreUnchanged() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(256, 256), out);
        int mss = e.config().mss();
        e.send(new byte[100 * mss], 0, 100 * mss);
        e.flush(0);
        assertEquals(100, out.segments(KcpWire.CMD_PUSH).size(), "OFF: the whole window at once");
        assertEquals(0, e.stats().pacingRate());
    }
}
