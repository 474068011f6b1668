package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The receive side: ordering, duplicates, the receive window's edges. */
class KcpEngineReceiveTest {
    private static final int CONV = 5;

    private final PacketRecorder out = new PacketRecorder();

    private static boolean push(KcpEngine e, int sn, String text, long now) {
        byte[] p = WireSegment.encode(WireSegment.push(CONV, sn, 0, 128, (int) now,
                text.getBytes(StandardCharsets.US_ASCII)));
        return e.input(p, 0, p.length, now);
    }

    private static String readAll(KcpEngine e) {
        byte[] b = new byte[e.readable()];
        assertEquals(b.length, e.receive(b, 0, b.length));
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void outOfOrderAndDuplicateSegmentsAreDeliveredOnceInOrder() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(8, 8), out);
        assertTrue(push(e, 2, "cc", 1));
        assertEquals(0, e.readable());
        assertTrue(push(e, 0, "aa", 2));
        assertEquals(2, e.readable());
        assertTrue(push(e, 2, "XX", 3)); // duplicate of a buffered segment: the first copy stays
        assertTrue(push(e, 1, "bb", 4));
        assertEquals(6, e.readable());
        assertTrue(push(e, 0, "YY", 5)); // duplicate of a delivered segment
        assertEquals(6, e.readable());

        // The ack of 2, above the hole at 0, goes once more (first) with the next flush that has acks; the una of
        // that flush (1) does not cover it yet. The duplicate of 2 is acked again; by the next flush 1 has filled
        // the hole and una covers 2, so nothing is repeated.
        List<WireSegment> acks = out.segments(KcpWire.CMD_ACK);
        assertEquals(List.of(2, 2, 0, 2, 1, 0), acks.stream().map(WireSegment::sn).toList(), "duplicates acked too");
        assertEquals(List.of(1, 1, 2, 3, 4, 5), acks.stream().map(WireSegment::ts).toList(), "ts echoed");
        assertEquals(List.of(0, 1, 1, 1, 3, 3), acks.stream().map(WireSegment::una).toList());
        assertEquals(5, out.packets.size(), "one immediate ack packet per input");
        assertEquals("aabbcc", readAll(e));
        assertEquals(6, e.stats().bytesReceived());
        assertEquals(6, e.stats().acksSent());
    }

    @Test
    void partialReadsKeepTheStreamInOrder() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(8, 8), out);
        push(e, 0, "hello", 0);
        push(e, 1, " world", 0);
        byte[] b = new byte[11];
        assertEquals(3, e.receive(b, 0, 3));
        assertEquals(7, e.receive(b, 3, 7));
        assertEquals(1, e.receive(b, 10, 1));
        assertEquals(0, e.receive(b, 0, 1));
        assertEquals("hello world", new String(b, StandardCharsets.US_ASCII));
    }

    @Test
    void segmentsBeyondTheReceiveWindowAreDroppedUnacked() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(8, 4), out);
        assertTrue(push(e, 4, "far", 0));
        assertTrue(push(e, 0x7FFF_FFFF, "farther", 0));
        assertTrue(out.packets.isEmpty(), "nothing owed for out-of-window segments");
        assertEquals(0, e.stats().bytesReceived());
        assertTrue(push(e, 3, "edge", 0));
        assertEquals(List.of(3), out.segments(KcpWire.CMD_ACK).stream().map(WireSegment::sn).toList());
    }

    @Test
    void advertisedWindowShrinksWithUnreadSegments() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(8, 4), out);
        for (int sn = 0; sn < 6; sn++) {
            push(e, sn, "x", 0);
        }
        // Six acked (four readable, two held beyond the full readable queue); window closed at 0.
        List<WireSegment> acks = out.segments(KcpWire.CMD_ACK);
        assertEquals(List.of(3, 2, 1, 0, 0, 0), acks.stream().map(WireSegment::wnd).toList());
        assertEquals(4, e.readable());
        out.clear();
        assertEquals("xxxx", readAll(e));
        assertEquals("xx", readAll(e), "the held segments move up once there is room");
        e.flush(10);
        List<WireSegment> tell = out.segments(KcpWire.CMD_WINS);
        assertEquals(1, tell.size(), "a window reopened from zero is told");
        assertEquals(4, tell.get(0).wnd());
        assertEquals(6, tell.get(0).una());
    }

    @Test
    void emptyPushConsumesItsSnWithoutHoldingWindow() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(8, 2), out);
        push(e, 0, "", 0);
        push(e, 1, "", 0);
        push(e, 2, "", 0);
        push(e, 3, "z", 0);
        assertEquals(1, e.readable());
        assertEquals(1, out.segments(KcpWire.CMD_ACK).getLast().wnd());
        assertEquals(4, out.segments(KcpWire.CMD_ACK).getLast().una());
    }

    @Test
    void windowAskIsAnsweredWithATell() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withWindows(8, 16), out);
        byte[] ask = WireSegment.encode(WireSegment.control(CONV, KcpWire.CMD_WASK, 0, 0, 128, 0));
        assertTrue(e.input(ask, 0, ask.length, 0));
        List<WireSegment> segs = out.segments();
        assertEquals(1, segs.size());
        assertEquals(KcpWire.CMD_WINS, segs.get(0).cmd());
        assertEquals(16, segs.get(0).wnd());
    }

    @Test
    void delayedAcksWaitForTheNextFlush() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withImmediateAcks(false), out);
        e.update(0);
        push(e, 0, "a", 1);
        push(e, 1, "b", 2);
        assertTrue(out.packets.isEmpty());
        assertTrue(e.nextUpdate(3) > 3, "delayed acks wait for the tick");
        e.flush(3);
        assertEquals(1, out.packets.size(), "both acks in one packet");
        assertEquals(List.of(0, 1), out.segments(KcpWire.CMD_ACK).stream().map(WireSegment::sn).toList());
    }

    @Test
    void reentrantCallsFromOutputAreRefused() {
        KcpEngine[] self = new KcpEngine[1];
        self[0] = new KcpEngine(CONV, KcpConfig.fast3(), (p, n) -> self[0].input(p, 0, n, 0));
        self[0].send(new byte[10], 0, 10);
        assertThrows(IllegalStateException.class, () -> self[0].flush(0));
    }
}
