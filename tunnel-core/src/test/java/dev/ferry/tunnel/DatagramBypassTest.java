package dev.ferry.tunnel;

import dev.ferry.transport.DatagramCarrier;
import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.FrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DATAGRAM frames leave beside the stream on a carrier channel, and come back in; nothing else is touched. */
class DatagramBypassTest {
    private static final Destination DNS = Destination.parse("10.0.0.53", 53);

    /** An embedded channel that is also a carrier: sent datagrams are kept, received ones are fed by the test. */
    static final class CarrierChannel extends EmbeddedChannel implements DatagramCarrier {
        final List<ByteBuf> sent = new ArrayList<>();
        Consumer<ByteBuf> sink;
        final int max;

        CarrierChannel(int max) {
            super(false, false);
            this.max = max;
        }

        @Override
        public int maxDatagramLength() {
            return max;
        }

        @Override
        public boolean sendDatagram(ByteBuf body) {
            sent.add(body);
            return true;
        }

        @Override
        public void receiveDatagrams(Consumer<ByteBuf> sink) {
            this.sink = sink;
        }

        void releaseSent() {
            sent.forEach(ByteBuf::release);
        }
    }

    private static CarrierChannel channel(int max) throws Exception {
        CarrierChannel ch = new CarrierChannel(max);
        ch.pipeline().addLast(new DatagramBypass(ch));
        ch.register();
        return ch;
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void aDatagramFrameLeavesAsADatagramNotInTheStream() throws Exception {
        CarrierChannel ch = channel(1200);
        ch.writeAndFlush(new Frame.Datagram(3, DNS, ascii("query")));
        assertNull(ch.readOutbound(), "nothing went into the stream");
        assertEquals(1, ch.sent.size());
        ByteBuf expected = FrameEncoder.encode(new Frame.Datagram(3, DNS, ascii("query")), ch.alloc());
        assertEquals(expected, ch.sent.get(0), "the datagram is the encoded frame");
        expected.release();
        ch.releaseSent();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void otherFramesAndOversizedDatagramsStayInTheStream() throws Exception {
        CarrierChannel ch = channel(16);
        Frame.Data data = new Frame.Data(1, ascii("bytes"));
        ch.writeAndFlush(data);
        assertTrue(ch.readOutbound() instanceof Frame.Data d && d.payload().release());
        ch.writeAndFlush(new Frame.Datagram(3, DNS, ascii("more than sixteen bytes with the header")));
        ByteBuf inStream = ch.readOutbound();
        assertTrue(inStream.readableBytes() > 16, "an oversized datagram went into the stream, encoded");
        inStream.release();
        assertTrue(ch.sent.isEmpty());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aReceivedDatagramBecomesAFrame() throws Exception {
        CarrierChannel ch = channel(1200);
        ch.sink.accept(FrameEncoder.encode(new Frame.Datagram(5, DNS, ascii("answer")), ch.alloc()));
        Frame.Datagram d = assertInstanceOf(Frame.Datagram.class, ch.readInbound());
        assertEquals(5, d.flowId());
        assertEquals(DNS, d.address());
        assertEquals("answer", d.payload().toString(StandardCharsets.US_ASCII));
        d.payload().release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void malformedDatagramsAreDroppedAndTheTunnelGoesOn() throws Exception {
        CarrierChannel ch = channel(1200);
        // garbage, a truncated frame, a frame of another type, a datagram frame followed by trailing bytes
        ch.sink.accept(ascii("not a frame at all"));
        ByteBuf truncated = FrameEncoder.encode(new Frame.Datagram(5, DNS, ascii("answer")), ch.alloc());
        ch.sink.accept(truncated.writerIndex(truncated.writerIndex() - 3));
        ch.sink.accept(FrameEncoder.encode(new Frame.Data(1, ascii("data")), ch.alloc()));
        ByteBuf trailing = FrameEncoder.encode(new Frame.Datagram(5, DNS, ascii("answer")), ch.alloc());
        ch.sink.accept(trailing.writeByte(0));
        assertNull(ch.readInbound(), "nothing reached the mux");
        assertTrue(ch.isOpen(), "a bad datagram does not end the tunnel");
        ch.sink.accept(FrameEncoder.encode(new Frame.Datagram(7, DNS, ascii("ok")), ch.alloc()));
        Frame.Datagram d = assertInstanceOf(Frame.Datagram.class, ch.readInbound());
        assertEquals(7, d.flowId());
        d.payload().release();
        assertFalse(ch.finishAndReleaseAll());
    }
}
