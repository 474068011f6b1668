package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UDP flows of one mux session, frames in and out of an embedded channel: ids, limits, drops, closing. */
class DatagramFlowTest {
    private static final Destination DNS = Destination.parse("10.0.0.53", 53);
    private static final int WINDOW = 256 * 1024;

    /** Keeps what arrives, as text, and which flows closed. */
    static final class Recorder implements DatagramReceiver {
        final List<String> got = new ArrayList<>();
        final List<Integer> closed = new ArrayList<>();

        @Override
        public void onDatagram(DatagramFlow flow, Destination address, ByteBuf payload) {
            got.add(flow.id() + " " + address + " " + payload.toString(StandardCharsets.US_ASCII));
            payload.release();
        }

        @Override
        public void onFlowClosed(DatagramFlow flow) {
            closed.add(flow.id());
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void theFrontendNumbersItsFlowsAndSendsDatagramFrames() {
        MuxSession mux = MuxSession.client(WINDOW, WINDOW, SessionListener.NONE);
        EmbeddedChannel ch = new EmbeddedChannel(mux);
        Recorder recorder = new Recorder();
        DatagramFlow first = mux.openFlow(recorder);
        DatagramFlow second = mux.openFlow(recorder);
        assertEquals(1, first.id());
        assertEquals(2, second.id());
        assertTrue(second.send(DNS, ascii("query")));
        ch.runPendingTasks();
        Frame.Datagram out = assertInstanceOf(Frame.Datagram.class, ch.readOutbound());
        assertEquals(2, out.flowId());
        assertEquals(DNS, out.address());
        out.payload().release();

        ch.writeInbound(new Frame.Datagram(1, DNS, ascii("answer")));
        ch.writeInbound(new Frame.Datagram(9, DNS, ascii("for a flow never opened")));
        assertEquals(List.of("1 " + DNS + " answer"), recorder.got);
        assertEquals(1, mux.datagramsForNoFlow(), "a reply for an unknown flow is dropped and counted");

        first.close();
        ch.writeInbound(new Frame.Datagram(1, DNS, ascii("late")));
        assertEquals(2, mux.datagramsForNoFlow(), "a closed flow takes nothing more");
        assertTrue(ch.isOpen(), "none of this is an error of the tunnel");

        ch.close();
        assertEquals(List.of(1, 2), recorder.closed, "every flow ends with the tunnel");
        assertFalse(second.send(DNS, ascii("after")), "a closed flow sends nothing");
        assertNull(mux.openFlow(recorder));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void theBackendAcceptsNewFlowsUpToItsLimit() {
        MuxSession mux = MuxSession.server(WINDOW, WINDOW, s -> { }, SessionListener.NONE);
        Recorder recorder = new Recorder();
        List<Integer> offered = new ArrayList<>();
        mux.acceptFlows(flow -> {
            offered.add(flow.id());
            return flow.id() == 13 ? null : recorder; // 13 is refused
        }, 2);
        EmbeddedChannel ch = new EmbeddedChannel(mux);
        ch.writeInbound(new Frame.Datagram(5, DNS, ascii("a")));
        ch.writeInbound(new Frame.Datagram(5, DNS, ascii("b")));
        ch.writeInbound(new Frame.Datagram(13, DNS, ascii("refused")));
        ch.writeInbound(new Frame.Datagram(7, DNS, ascii("c")));
        ch.writeInbound(new Frame.Datagram(8, DNS, ascii("over the limit")));
        assertEquals(List.of(5, 13, 7), offered, "asked once per new flow, never beyond the limit");
        assertEquals(List.of("5 " + DNS + " a", "5 " + DNS + " b", "7 " + DNS + " c"), recorder.got);
        assertEquals(2, mux.flowCount());
        assertEquals(2, mux.datagramsForNoFlow());
        assertTrue(ch.isOpen());
        ch.close();
        assertEquals(0, mux.flowCount());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void anOversizedDatagramIsDroppedBeforeItIsFramed() {
        MuxSession mux = MuxSession.client(WINDOW, WINDOW, SessionListener.NONE);
        EmbeddedChannel ch = new EmbeddedChannel(mux);
        DatagramFlow flow = mux.openFlow(new Recorder());
        ByteBuf big = Unpooled.buffer(16384).writeZero(16384);
        assertFalse(flow.send(DNS, big));
        assertEquals(0, big.refCnt(), "released");
        ch.runPendingTasks();
        assertNull(ch.readOutbound());
        assertFalse(ch.finishAndReleaseAll());
    }
}
