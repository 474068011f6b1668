package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireTestKit.ascii;
import static dev.ferry.tunnel.wire.WireTestKit.channel;
import static dev.ferry.tunnel.wire.WireTestKit.compact;
import static dev.ferry.tunnel.wire.WireTestKit.drainInbound;
import static dev.ferry.tunnel.wire.WireTestKit.drainOutbound;
import static dev.ferry.tunnel.wire.WireTestKit.fromHex;
import static dev.ferry.tunnel.wire.WireTestKit.hex;
import static dev.ferry.tunnel.wire.WireTestKit.payloadOf;
import static dev.ferry.tunnel.wire.WireTestKit.release;
import static dev.ferry.tunnel.wire.WireTestKit.releaseAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the exact bytes of every frame type, destination kind and control message. The expected hex is written by
 * hand from the spec (docs/PROTOCOL.md, "Byte examples" lists the same frames): header fields, then payload fields,
 * separated by '|'. Decoded frames are compared as records, which compares every component and ByteBufs by content.
 */
class FrameGoldenTest {

    /** A frame built fresh for each use (encoding consumes its buffer) and its bytes. */
    record Golden(String name, Function<ByteBufAllocator, Frame> frame, String hex) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Golden> golden() {
        return Stream.of(
                //             type flags stream   length | payload
                new Golden("OPEN IPv4, no first bytes",
                        a -> new Frame.Open(1, Destination.parse("10.0.0.1", 443), Unpooled.EMPTY_BUFFER, false),
                        "01 00 00000001 0007 | 01 0a000001 01bb"),
                new Golden("OPEN IPv6, first bytes, FIN",
                        a -> new Frame.Open(3, Destination.parse("2001:db8::1", 80), ascii(a, "GET"), true),
                        "01 01 00000003 0016 | 04 20010db8000000000000000000000001 0050 | 474554"),
                new Golden("OPEN domain, first bytes",
                        a -> new Frame.Open(5, Destination.domain("example.com", 8080), ascii(a, "hi"), false),
                        "01 00 00000005 0011 | 03 0b 6578616d706c652e636f6d 1f90 | 6869"),
                new Golden("OPEN_RESULT OK",
                        a -> new Frame.OpenResult(7, OpenStatus.OK), "02 00 00000007 0001 | 00"),
                new Golden("OPEN_RESULT REFUSED",
                        a -> new Frame.OpenResult(1, OpenStatus.REFUSED), "02 00 00000001 0001 | 01"),
                new Golden("OPEN_RESULT UNREACHABLE",
                        a -> new Frame.OpenResult(1, OpenStatus.UNREACHABLE), "02 00 00000001 0001 | 02"),
                new Golden("OPEN_RESULT TIMED_OUT",
                        a -> new Frame.OpenResult(1, OpenStatus.TIMED_OUT), "02 00 00000001 0001 | 03"),
                new Golden("OPEN_RESULT DENIED",
                        a -> new Frame.OpenResult(1, OpenStatus.DENIED), "02 00 00000001 0001 | 04"),
                new Golden("OPEN_RESULT FAILED",
                        a -> new Frame.OpenResult(1, OpenStatus.FAILED), "02 00 00000001 0001 | 05"),
                new Golden("DATA",
                        a -> new Frame.Data(7, ascii(a, "hello")), "03 00 00000007 0005 | 68656c6c6f"),
                new Golden("FIN",
                        a -> new Frame.Fin(9), "04 00 00000009 0000"),
                new Golden("RESET CONNECTION_RESET",
                        a -> new Frame.Reset(11, ResetReason.CONNECTION_RESET), "05 00 0000000b 0001 | 01"),
                new Golden("RESET PROTOCOL_ERROR",
                        a -> new Frame.Reset(11, ResetReason.PROTOCOL_ERROR), "05 00 0000000b 0001 | 02"),
                new Golden("RESET SHUTDOWN",
                        a -> new Frame.Reset(11, ResetReason.SHUTDOWN), "05 00 0000000b 0001 | 03"),
                new Golden("RESET IDLE_TIMEOUT",
                        a -> new Frame.Reset(11, ResetReason.IDLE_TIMEOUT), "05 00 0000000b 0001 | 04"),
                new Golden("RESET INTERNAL_ERROR",
                        a -> new Frame.Reset(11, ResetReason.INTERNAL_ERROR), "05 00 0000000b 0001 | 05"),
                new Golden("WINDOW_UPDATE 64 KiB",
                        a -> new Frame.WindowUpdate(1, 65536), "06 00 00000001 0004 | 00010000"),
                new Golden("WINDOW_UPDATE max increment, stream id above 2^31",
                        a -> new Frame.WindowUpdate(0x80000001, Integer.MAX_VALUE),
                        "06 00 80000001 0004 | 7fffffff"),
                new Golden("PING",
                        a -> new Frame.Ping(0x0102030405060708L), "07 00 00000000 0008 | 0102030405060708"),
                new Golden("PONG",
                        a -> new Frame.Pong(-1L), "08 00 00000000 0008 | ffffffffffffffff"),
                new Golden("CONTROL LOAD_REPORT",
                        a -> new Frame.Control(new ControlMessage.LoadReport(12, 100, false)),
                        "09 00 00000000 0008 | 01 | 0000000c 0064 00"),
                new Golden("CONTROL LOAD_REPORT draining",
                        a -> new Frame.Control(new ControlMessage.LoadReport(3, 65535, true)),
                        "09 00 00000000 0008 | 01 | 00000003 ffff 01"),
                new Golden("CONTROL GO_AWAY",
                        a -> new Frame.Control(new ControlMessage.GoAway(41)),
                        "09 00 00000000 0005 | 02 | 00000029"),
                new Golden("DATAGRAM flow 1 to an IPv4 address",
                        a -> new Frame.Datagram(1, Destination.parse("10.0.0.53", 53), ascii(a, "hi")),
                        "0a 00 00000001 0009 | 01 0a000035 0035 | 6869"),
                new Golden("DATAGRAM flow 2 to a name, empty",
                        a -> new Frame.Datagram(2, Destination.domain("a.io", 53), Unpooled.EMPTY_BUFFER),
                        "0a 00 00000002 0008 | 03 04 612e696f 0035"));
    }

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void allBuffersReleased() {
        alloc.assertAllReleased();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void staticEncodeWritesGoldenBytes(Golden golden) {
        Frame frame = golden.frame().apply(alloc);
        ByteBuf encoded = FrameEncoder.encode(frame, alloc);
        try {
            assertEquals(compact(golden.hex()), hex(encoded));
        } finally {
            encoded.release();
        }
        ByteBuf payload = payloadOf(frame);
        if (payload != Unpooled.EMPTY_BUFFER) {
            assertEquals(0, payload.refCnt(), "encode consumes the frame's buffer");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void handlerWritesGoldenBytes(Golden golden) {
        EmbeddedChannel channel = channel(alloc, new FrameEncoder());
        Frame frame = golden.frame().apply(alloc);
        assertTrue(channel.writeOutbound(frame));
        ByteBuf written = drainOutbound(channel, alloc);
        try {
            assertEquals(compact(golden.hex()), hex(written));
        } finally {
            written.release();
        }
        assertFalse(channel.finishAndReleaseAll());
        ByteBuf payload = payloadOf(frame);
        if (payload != Unpooled.EMPTY_BUFFER) {
            assertEquals(0, payload.refCnt(), "the channel released the payload after writing it");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void staticDecodeReadsGoldenBytes(Golden golden) {
        ByteBuf in = fromHex(alloc, golden.hex());
        Frame expected = golden.frame().apply(alloc);
        Frame decoded = FrameDecoder.decodeOne(in);
        try {
            assertEquals(expected, decoded);
            assertFalse(in.isReadable(), "the whole frame was consumed");
        } finally {
            release(expected);
            if (decoded != null) {
                release(decoded);
            }
            in.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void handlerReadsGoldenBytes(Golden golden) {
        EmbeddedChannel channel = channel(alloc, new FrameDecoder());
        ByteBuf in = fromHex(alloc, golden.hex());
        assertTrue(channel.writeInbound(in));
        List<Frame> decoded = drainInbound(channel);
        Frame expected = golden.frame().apply(alloc);
        try {
            assertEquals(List.of(expected), decoded);
        } finally {
            release(expected);
            releaseAll(decoded);
        }
        assertEquals(0, in.refCnt(), "the decoder released its input; payload slices shared its count");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void receiverIgnoresUnknownFlagBits() {
        ByteBuf in = fromHex(alloc, """
                03 fe 00000007 0001 | 61
                01 fe 00000001 0007 | 01 0a000001 01bb
                01 ff 00000003 0007 | 01 0a000001 01bb
                07 ff 00000000 0008 | 0000000000000001
                """);
        List<Frame> expected = List.of(
                new Frame.Data(7, ascii(alloc, "a")),
                new Frame.Open(1, Destination.parse("10.0.0.1", 443), Unpooled.EMPTY_BUFFER, false),
                new Frame.Open(3, Destination.parse("10.0.0.1", 443), Unpooled.EMPTY_BUFFER, true),
                new Frame.Ping(1));
        EmbeddedChannel channel = channel(alloc, new FrameDecoder());
        channel.writeInbound(in);
        List<Frame> decoded = drainInbound(channel);
        try {
            assertEquals(expected, decoded);
        } finally {
            releaseAll(expected);
            releaseAll(decoded);
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unknownStatusAndReasonCodesMapToTheirCatchAll() {
        ByteBuf in = fromHex(alloc, """
                02 00 00000001 0001 | 77
                05 00 00000001 0001 | 00
                05 00 00000001 0001 | ff
                """);
        try {
            assertEquals(new Frame.OpenResult(1, OpenStatus.FAILED), FrameDecoder.decodeOne(in));
            assertEquals(new Frame.Reset(1, ResetReason.INTERNAL_ERROR), FrameDecoder.decodeOne(in));
            assertEquals(new Frame.Reset(1, ResetReason.INTERNAL_ERROR), FrameDecoder.decodeOne(in));
        } finally {
            in.release();
        }
    }

    @Test
    void decodeOneWaitsForWholeFrame() {
        ByteBuf in = fromHex(alloc, "03 00 00000007 0005 | 68656c6c");
        try {
            assertEquals(null, FrameDecoder.decodeOne(in));
            assertEquals(0, in.readerIndex(), "nothing consumed from a partial frame");
        } finally {
            in.release();
        }
    }
}
