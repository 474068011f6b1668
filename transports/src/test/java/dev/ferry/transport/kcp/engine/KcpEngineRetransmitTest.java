package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send side: RTO and its backoff, the dead link, fast retransmission, selective acks, RTT, congestion. */
class KcpEngineRetransmitTest {
    private static final int CONV = 3;

    private final PacketRecorder out = new PacketRecorder();

    private static void ack(KcpEngine e, int sn, int una, int echoedTs, long now) {
        byte[] p = WireSegment.encode(WireSegment.control(CONV, KcpWire.CMD_ACK, sn, una, 128, echoedTs));
        assertTrue(e.input(p, 0, p.length, now));
    }

    /** Runs update() at each time the engine asks for until {@code end}; returns the times of PUSH transmissions. */
    private List<Long> pushTimes(KcpEngine e, long end) {
        List<Long> times = new ArrayList<>();
        long now = 0;
        e.flush(now);
        times.add(now);
        while (now < end) {
            now = Math.max(e.nextUpdate(now), now + 1);
            int before = out.segments(KcpWire.CMD_PUSH).size();
            e.update(now);
            if (out.segments(KcpWire.CMD_PUSH).size() > before) {
                times.add(now);
            }
        }
        return times;
    }

    @Test
    void rtoDoublesWithoutNodelay() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.normal(), out);
        e.send(new byte[100], 0, 100);
        assertEquals(List.of(0L, 200L, 600L, 1400L, 3000L), pushTimes(e, 3100));
        assertEquals(4, e.stats().retransmits());
    }

    @Test
    void rtoGrowsByHalfWithNodelay() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3(), out);
        e.send(new byte[100], 0, 100);
        // 200, 300, 450, 675 ms between transmissions.
        assertEquals(List.of(0L, 200L, 500L, 950L, 1625L), pushTimes(e, 2000));
        assertEquals(4, e.stats().retransmits());
    }

    @Test
    void linkIsDeadAfterDeadLinkTransmissions() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withDeadLinkTransmissions(4).withDuplicateBelow(0), out);
        e.send(new byte[100], 0, 100);
        long now = 0;
        e.flush(now);
        while (!e.isDead()) {
            assertTrue(now < 60_000, "never declared dead");
            assertTrue(out.segments(KcpWire.CMD_PUSH).size() < 4);
            now = Math.max(e.nextUpdate(now), now + 1);
            e.update(now);
        }
        assertEquals(4, out.segments(KcpWire.CMD_PUSH).size());
        ack(e, 0, 1, 0, now);
        assertTrue(e.isDead(), "sticky");
    }

    @Test
    void fastRetransmitAfterFastResendSkips() {
        KcpConfig config = KcpConfig.fast3();
        KcpEngine e = new KcpEngine(CONV, config, out);
        e.send(new byte[5 * config.mss()], 0, 5 * config.mss());
        e.flush(0);
        assertEquals(5, out.segments(KcpWire.CMD_PUSH).size());
        out.clear();

        ack(e, 1, 0, 0, 5);
        e.flush(5);
        assertTrue(out.segments(KcpWire.CMD_PUSH).isEmpty(), "one skip is not enough");
        ack(e, 2, 0, 0, 6);
        e.flush(6);
        List<WireSegment> resent = out.segments(KcpWire.CMD_PUSH);
        assertEquals(List.of(0), resent.stream().map(WireSegment::sn).toList());
        assertEquals(6, resent.get(0).ts());
        assertEquals(1, e.stats().fastRetransmits());
        assertEquals(0, e.stats().retransmits());

        // Acks of segments sent before that retransmission do not count against it again.
        out.clear();
        ack(e, 3, 0, 0, 7);
        ack(e, 4, 0, 0, 8);
        e.flush(8);
        assertTrue(out.segments(KcpWire.CMD_PUSH).isEmpty());
        assertEquals(1, e.waitingSegments());
    }

    @Test
    void fastResendZeroMeansOnlyTheRto() {
        KcpConfig config = KcpConfig.fast3().withFastResend(0);
        KcpEngine e = new KcpEngine(CONV, config, out);
        e.send(new byte[4 * config.mss()], 0, 4 * config.mss());
        e.flush(0);
        out.clear();
        ack(e, 1, 0, 0, 1);
        ack(e, 2, 0, 0, 2);
        ack(e, 3, 0, 0, 3);
        e.flush(3);
        assertTrue(out.segments(KcpWire.CMD_PUSH).isEmpty());
        assertEquals(0, e.stats().fastRetransmits());
    }

    @Test
    void fastRetransmissionsOfOneSegmentAreBounded() {
        KcpConfig config = KcpConfig.fast3().withWindows(64, 64);
        int mss = config.mss();
        KcpEngine e = new KcpEngine(CONV, config, out);
        e.send(new byte[mss], 0, mss);
        e.flush(0);
        int sn = 1;
        for (long now = 1; now <= 8; now++) {
            e.send(new byte[2 * mss], 0, 2 * mss);
            e.flush(now);
            ack(e, sn, 0, (int) now, now);
            ack(e, sn + 1, 0, (int) now, now);
            sn += 2;
            e.flush(now);
        }
        assertEquals(SendBuffer.FAST_RETRANSMIT_LIMIT, e.stats().fastRetransmits());
        assertEquals(1, e.waitingSegments());
    }

    @Test
    void selectiveAckRemovesExactlyOneAndUnaRemovesBelow() {
        KcpConfig config = KcpConfig.fast3();
        KcpEngine e = new KcpEngine(CONV, config, out);
        e.send(new byte[5 * config.mss()], 0, 5 * config.mss());
        e.flush(0);
        ack(e, 2, 0, 0, 1);
        assertEquals(4, e.waitingSegments());
        ack(e, 2, 0, 0, 1);
        assertEquals(4, e.waitingSegments(), "a duplicate ack changes nothing");
        ack(e, 5, 0, 0, 1);
        ack(e, -1, 0, 0, 1);
        assertEquals(4, e.waitingSegments(), "acks outside [una, snd_nxt) are ignored");
        ack(e, 3, 9, 0, 1);
        assertEquals(3, e.waitingSegments(), "una beyond snd_nxt is ignored");
        ack(e, 0, 2, 0, 1);
        assertEquals(1, e.waitingSegments(), "una 2 took sn 0 and 1; sn 4 remains");
        ack(e, 4, 4, 0, 1);
        assertEquals(0, e.waitingSegments());
        assertEquals(2 * config.sendWindow() * config.mss(), e.sendCapacity());
    }

    @Test
    void rttAndRtoFollowTheTimestampEcho() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3(), out);
        e.send(new byte[10], 0, 10);
        e.flush(1000);
        ack(e, 0, 1, 1000, 1050);
        KcpStats s = e.stats();
        assertEquals(50, s.srttMillis());
        assertEquals(25, s.rttVarMillis());
        assertEquals(150, s.rtoMillis(), "srtt + max(interval, 4 rttvar)");
        e.send(new byte[10], 0, 10);
        e.flush(2000);
        ack(e, 1, 2, 2000, 2010);
        s = e.stats();
        assertEquals(45, s.srttMillis(), "(7 * 50 + 10) / 8");
        assertEquals(28, s.rttVarMillis(), "(3 * 25 + 40) / 4");
        assertEquals(45 + 4 * 28, s.rtoMillis());
    }

    @Test
    void congestionWindowGrowsHalvesAndCollapses() {
        KcpConfig config = KcpConfig.fast3().withCongestionControl(true).withWindows(64, 64);
        int mss = config.mss();
        KcpEngine e = new KcpEngine(CONV, config, out);
        assertEquals(ClassicCongestionWindow.INITIAL_WINDOW, e.stats().congestionWindow());
        e.send(new byte[40 * mss], 0, 40 * mss);
        e.flush(0);
        assertEquals(4, out.segments(KcpWire.CMD_PUSH).size(), "initial window");
        ack(e, 0, 4, 0, 10);
        assertEquals(8, e.stats().congestionWindow(), "slow start: +1 per acked segment");
        out.clear();
        e.flush(10);
        assertEquals(8, out.segments(KcpWire.CMD_PUSH).size());
        // sn 4 is lost: acks of 5 and 6 trigger a fast retransmit, which halves the window.
        ack(e, 5, 4, 10, 20);
        ack(e, 6, 4, 10, 20);
        out.clear();
        e.flush(20);
        assertEquals(1, e.stats().fastRetransmits());
        int afterFast = e.stats().congestionWindow();
        assertTrue(afterFast < 10, "halved from 10: " + afterFast);
        long now = 20;
        while (e.stats().retransmits() == 0) {
            now = Math.max(e.nextUpdate(now), now + 1);
            e.update(now);
        }
        assertEquals(1, e.stats().congestionWindow(), "a timeout restarts from one segment");
        assertFalse(e.isDead());
    }

    @Test
    void nextUpdateFollowsTheWork() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3(), out);
        assertEquals(7, e.nextUpdate(7), "not started: now");
        e.update(10);
        assertEquals(10 + KcpEngine.IDLE_WAIT_MILLIS, e.nextUpdate(10), "idle: long wait");
        e.send(new byte[10], 0, 10);
        assertEquals(11, e.nextUpdate(11), "data ready: now");
        e.flush(11);
        assertEquals(20, e.nextUpdate(11), "in flight: the next tick (RTO 200 is later)");
        long now = 11;
        for (int i = 0; i < 100; i++) {
            long at = e.nextUpdate(now);
            assertTrue(at >= now);
            now = at;
            e.update(now);
        }
        assertTrue(e.stats().retransmits() > 0);
        ack(e, 0, 1, 0, now);
        assertEquals(now + KcpEngine.IDLE_WAIT_MILLIS, e.nextUpdate(now), "acked: idle again");
    }
}
