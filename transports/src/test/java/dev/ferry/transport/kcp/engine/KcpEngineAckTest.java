package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acks and lost acks. KCP acks one sn at a time; an ack lost while a hole stops una would make the peer
 * fast-retransmit a segment that arrived, so the receiver repeats such an ack once, and the sender must take a
 * repeat (or any ack of a segment acked before) as no news: no RTT sample, no skip.
 */
class KcpEngineAckTest {
    private static final int CONV = 11;

    private final PacketRecorder out = new PacketRecorder();

    private static void input(KcpEngine e, WireSegment s, long now) {
        byte[] p = WireSegment.encode(s);
        assertTrue(e.input(p, 0, p.length, now));
    }

    private static WireSegment ack(int sn, int una, int ts) {
        return WireSegment.control(CONV, KcpWire.CMD_ACK, sn, una, 256, ts);
    }

    @Test
    void anAckAboveAHoleIsRepeatedOnceAndOthersNever() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(64, 64), out);
        input(e, WireSegment.push(CONV, 0, 0, 64, 1, new byte[10]), 1);
        input(e, WireSegment.push(CONV, 1, 0, 64, 2, new byte[10]), 2);
        assertEquals(List.of(0, 1), out.segments(KcpWire.CMD_ACK).stream().map(WireSegment::sn).toList(),
                "in order: una covers every ack, nothing to repeat");
        out.clear();
        input(e, WireSegment.push(CONV, 3, 0, 64, 3, new byte[10]), 3); // 2 is missing
        input(e, WireSegment.push(CONV, 4, 0, 64, 4, new byte[10]), 4);
        input(e, WireSegment.push(CONV, 5, 0, 64, 5, new byte[10]), 5);
        assertEquals(List.of(3, 3, 4, 4, 5), out.segments(KcpWire.CMD_ACK).stream().map(WireSegment::sn).toList(),
                "each ack above the hole once more, ahead of the next flush's own");
        out.clear();
        input(e, WireSegment.push(CONV, 2, 0, 64, 6, new byte[10]), 6); // fills the hole
        assertEquals(List.of(2), out.segments(KcpWire.CMD_ACK).stream().map(WireSegment::sn).toList(),
                "una 6 now covers the ack of 5: no repeat");
        assertEquals(6, out.segments(KcpWire.CMD_ACK).get(0).una());
    }

    @Test
    void anAckOfASegmentAckedBeforeIsNoNews() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(64, 64).withDuplicateBelow(0), out);
        e.send(new byte[30], 0, 10);
        e.flush(0);
        e.send(new byte[30], 0, 10);
        e.flush(0);
        e.send(new byte[30], 0, 10);
        e.flush(0);
        assertEquals(3, out.segments(KcpWire.CMD_PUSH).size());
        input(e, ack(1, 0, 0), 50); // sn 0 is missing at the peer
        assertEquals(50, e.stats().srttMillis());
        input(e, ack(1, 0, 0), 90); // the peer's repeat of it
        assertEquals(50, e.stats().srttMillis(), "a repeat is no RTT sample (it would say 90 ms)");
        out.clear();
        e.flush(90);
        assertEquals(0, out.segments(KcpWire.CMD_PUSH).size(), "nor a second skip of sn 0: no fast retransmit");
        input(e, ack(2, 0, 0), 95);
        e.flush(95);
        assertEquals(List.of(0), out.segments(KcpWire.CMD_PUSH).stream().map(WireSegment::sn).toList(),
                "a real second skip retransmits sn 0");
    }

    @Test
    void anAckOfAnEarlierTransmissionShowsTheRetransmissionWasSpurious() {
        KcpConfig config = KcpConfig.fast3().withWindows(64, 64).withDuplicateBelow(0).withCongestion(Congestion.RATE);
        KcpEngine e = new KcpEngine(CONV, config, out);
        e.send(new byte[10], 0, 10);
        e.flush(0);
        long now = 0;
        while (e.stats().retransmits() == 0) {
            now = Math.max(e.nextUpdate(now), now + 1);
            e.update(now);
        }
        assertTrue(now >= RttEstimator.INITIAL_RTO_PACED, "a paced engine waits RFC 6298's 1 s first: " + now);
        input(e, ack(0, 1, 0), now + 10); // echoes the first transmission's ts: it had arrived after all
        assertEquals(0, e.waitingSegments());
        assertEquals(now + 10, e.stats().srttMillis(), "still a fine RTT sample of the first transmission");
    }
}
