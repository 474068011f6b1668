package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireTestKit.ascii;
import static dev.ferry.tunnel.wire.WireTestKit.bytes;
import static dev.ferry.tunnel.wire.WireTestKit.channel;
import static dev.ferry.tunnel.wire.WireTestKit.payloadOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;

import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Frames that break a wire rule are refused before anything is written, and their buffers are still released. */
class FrameEncoderTest {

    record Invalid(String name, Function<ByteBufAllocator, Frame> frame, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Invalid> invalid() {
        Destination ip = Destination.parse("10.0.0.1", 80);
        Destination longName = Destination.domain("a".repeat(255), 80);
        return Stream.of(
                new Invalid("OPEN on stream 0", a -> new Frame.Open(0, ip, ascii(a, "x"), false),
                        "OPEN frame: stream id must not be 0"),
                new Invalid("OPEN with first bytes past MAX_PAYLOAD",
                        a -> new Frame.Open(1, longName, bytes(a, new byte[WireFormat.maxOpenFirstBytes(longName) + 1]),
                                false),
                        "OPEN frame: payload of 16385 bytes exceeds the maximum of 16384"),
                new Invalid("OPEN_RESULT on stream 0", a -> new Frame.OpenResult(0, OpenStatus.OK),
                        "OPEN_RESULT frame: stream id must not be 0"),
                new Invalid("DATA on stream 0", a -> new Frame.Data(0, ascii(a, "x")),
                        "DATA frame: stream id must not be 0"),
                new Invalid("empty DATA", a -> new Frame.Data(1, a.buffer(0)),
                        "DATA frame: payload must not be empty"),
                new Invalid("DATA past MAX_PAYLOAD", a -> new Frame.Data(1, bytes(a, new byte[WireFormat.MAX_PAYLOAD + 1])),
                        "DATA frame: payload of 16385 bytes exceeds the maximum of 16384"),
                new Invalid("FIN on stream 0", a -> new Frame.Fin(0), "FIN frame: stream id must not be 0"),
                new Invalid("RESET on stream 0", a -> new Frame.Reset(0, ResetReason.SHUTDOWN),
                        "RESET frame: stream id must not be 0"),
                new Invalid("WINDOW_UPDATE on stream 0", a -> new Frame.WindowUpdate(0, 1),
                        "WINDOW_UPDATE frame: stream id must not be 0"));
    }

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void allBuffersReleased() {
        alloc.assertAllReleased();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void staticEncodeRefusesAndReleases(Invalid invalid) {
        Frame frame = invalid.frame().apply(alloc);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FrameEncoder.encode(frame, alloc));
        assertEquals(invalid.message(), e.getMessage());
        assertReleased(frame);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void handlerRefusesWritesNothingAndReleases(Invalid invalid) {
        EmbeddedChannel channel = channel(alloc, new FrameEncoder());
        Frame frame = invalid.frame().apply(alloc);
        EncoderException e = assertThrows(EncoderException.class, () -> channel.writeOutbound(frame));
        assertEquals(invalid.message(), assertInstanceOf(IllegalArgumentException.class, e.getCause()).getMessage());
        assertNull(channel.readOutbound(), "nothing written for a refused frame");
        assertReleased(frame);
        assertFalse(channel.finishAndReleaseAll());
    }

    private static void assertReleased(Frame frame) {
        ByteBuf payload = payloadOf(frame);
        if (payload != Unpooled.EMPTY_BUFFER) {
            assertEquals(0, payload.refCnt(), "a refused frame's buffer is released");
        }
    }

    @Test
    void frameValuesAreCheckedOnConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new Frame.WindowUpdate(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Frame.WindowUpdate(1, Integer.MIN_VALUE));
        assertThrows(IllegalArgumentException.class, () -> new ControlMessage.LoadReport(-1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new ControlMessage.LoadReport(1, -1, false));
        assertThrows(IllegalArgumentException.class, () -> new ControlMessage.LoadReport(1, 65536, false));
        assertThrows(NullPointerException.class, () -> new Frame.Open(1, Destination.parse("::1", 1), null, false));
        assertThrows(NullPointerException.class, () -> new Frame.Data(1, null));
        assertThrows(NullPointerException.class, () -> new Frame.Reset(1, null));
        assertThrows(NullPointerException.class, () -> new Frame.OpenResult(1, null));
        assertThrows(NullPointerException.class, () -> new Frame.Control(null));
    }

    @Test
    void largestFramesAreAccepted() {
        Destination ip = Destination.parse("10.0.0.1", 80);
        ByteBuf data = FrameEncoder.encode(new Frame.Data(1, bytes(alloc, new byte[WireFormat.MAX_PAYLOAD])), alloc);
        ByteBuf open = FrameEncoder.encode(
                new Frame.Open(1, ip, bytes(alloc, new byte[WireFormat.maxOpenFirstBytes(ip)]), true), alloc);
        try {
            assertEquals(WireFormat.HEADER_LENGTH + WireFormat.MAX_PAYLOAD, data.readableBytes());
            assertEquals(WireFormat.HEADER_LENGTH + WireFormat.MAX_PAYLOAD, open.readableBytes());
        } finally {
            data.release();
            open.release();
        }
    }

    @Test
    void encoderIsSharable() {
        assertTrue(new FrameEncoder().isSharable());
        assertFalse(new FrameDecoder().isSharable());
    }
}
