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

    // ---- acks held back for company (KcpConfig.ackDelayMillis) ----

    private KcpEngine heldAcksEngine() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(64, 64).withImmediateAcks(false)
                .withAckDelay(5).withDuplicateBelow(0), out);
        e.update(0);
        out.clear();
        return e;
    }

    /** A full segment: bulk, whose ack may wait for company. */
    private static void push(KcpEngine e, int sn, long now) {
        input(e, WireSegment.push(CONV, sn, 0, 64, (int) now, new byte[e.config().mss()]), now);
    }

    private List<Integer> ackedSns() {
        return out.segments(KcpWire.CMD_ACK).stream().map(WireSegment::sn).toList();
    }

    @Test
    void aLoneAckWaitsTheDelayThenLeaves() {
        KcpEngine e = heldAcksEngine();
        push(e, 0, 10);
        e.flush(10);
        assertTrue(out.packets.isEmpty(), "one ack owed and nothing else to send: held");
        e.update(10); // the timer's tick
        assertTrue(out.packets.isEmpty(), "held through a tick");
        assertEquals(15, e.nextUpdate(11), "the engine asks to be woken when the delay is over, before its next tick");
        e.flush(14);
        assertTrue(out.packets.isEmpty(), "still within the delay");
        e.update(15);
        assertEquals(List.of(0), ackedSns());
        assertEquals(1, out.packets.size());
    }

    @Test
    void theAckOfAShortSegmentIsNeverHeld() {
        KcpEngine e = heldAcksEngine();
        push(e, 0, 10);
        e.flush(10);
        assertTrue(out.packets.isEmpty(), "a full segment's ack is held");
        input(e, WireSegment.push(CONV, 1, 0, 64, 11, new byte[e.config().mss() - 1]), 11);
        assertEquals(11, e.nextUpdate(11), "a short segment (a request, the end of a message) wants its ack now");
        e.flush(11);
        assertEquals(List.of(0, 1), ackedSns(), "both owed acks leave, in one packet");
        assertEquals(1, out.packets.size());
        out.clear();
        push(e, 2, 12);
        e.flush(12);
        assertTrue(out.packets.isEmpty(), "the next full segment's ack is held again");
    }

    @Test
    void enoughAcksForAPacketLeaveAtOnce() {
        KcpEngine e = heldAcksEngine();
        for (int sn = 0; sn < KcpEngine.ACKS_PER_PACKET - 1; sn++) {
            push(e, sn, 10 + sn);
            e.flush(10 + sn);
        }
        assertTrue(out.packets.isEmpty(), KcpEngine.ACKS_PER_PACKET - 1 + " acks are held");
        push(e, KcpEngine.ACKS_PER_PACKET - 1, 13);
        e.flush(13);
        assertEquals(1, out.packets.size(), "the fourth fills the packet: all leave together");
        assertEquals(List.of(0, 1, 2, 3), ackedSns());
    }

    @Test
    void heldAcksRideWithDataLeavingAnyway() {
        KcpEngine e = heldAcksEngine();
        push(e, 0, 10);
        e.send(new byte[20], 0, 20);
        e.flush(11);
        assertEquals(1, out.packets.size(), "one packet: the data and the ack");
        assertEquals(List.of(0), ackedSns());
        assertEquals(1, out.segments(KcpWire.CMD_PUSH).size());
    }

    @Test
    void aWindowTellIsNeverHeld() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(64, 64).withImmediateAcks(false)
                .withAckDelay(5), out);
        e.update(0);
        out.clear();
        input(e, WireSegment.control(CONV, KcpWire.CMD_WASK, 0, 0, 64, 10), 10);
        push(e, 0, 10);
        e.flush(10);
        assertEquals(1, out.segments(KcpWire.CMD_WINS).size(), "the peer asked for our window");
        assertEquals(List.of(0), ackedSns(), "and the owed ack goes with it");
    }

    @Test
    void acksAboveAHoleAreHeldAndRepeatedAsBefore() {
        KcpEngine e = heldAcksEngine();
        push(e, 1, 10); // 0 is missing
        e.flush(10);
        assertTrue(out.packets.isEmpty());
        push(e, 2, 11);
        push(e, 3, 11);
        push(e, 4, 11);
        e.flush(11);
        assertEquals(List.of(1, 2, 3, 4), ackedSns());
        out.clear();
        push(e, 5, 12);
        e.update(17);
        assertEquals(List.of(1, 2, 3, 4, 5), ackedSns(), "the acks above the hole once more, with the next ones");
    }

    @Test
    void aBatchOfAcksIsSpreadOverSeveralPackets() {
        KcpEngine e = heldAcksEngine();
        int batch = 2 * KcpEngine.MAX_ACKS_PER_PACKET + 1;
        for (int sn = 0; sn < batch; sn++) {
            push(e, sn, 10);
        }
        e.flush(10);
        assertEquals(batch, ackedSns().size());
        assertEquals(3, out.packets.size(), "one lost packet must not take every ack of a flight");
    }

    @Test
    void acksThatArriveTogetherCountAsSeparateSkips() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(64, 64).withDuplicateBelow(0), out);
        for (int i = 0; i < 3; i++) {
            e.send(new byte[10], 0, 10);
            e.flush(0);
        }
        out.clear();
        // One packet acks 1 and 2 (a peer that holds acks for company); 0 was lost.
        byte[] p = concat(WireSegment.encode(ack(1, 0, 0)), WireSegment.encode(ack(2, 0, 0)));
        assertTrue(e.input(p, 0, p.length, 40));
        e.flush(40);
        assertEquals(List.of(0), out.segments(KcpWire.CMD_PUSH).stream().map(WireSegment::sn).toList(),
                "two later segments acked: sn 0 is fast-retransmitted, as if the acks had come one to a packet");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
