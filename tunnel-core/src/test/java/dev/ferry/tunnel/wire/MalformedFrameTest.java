package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireTestKit.channel;
import static dev.ferry.tunnel.wire.WireTestKit.drainInbound;
import static dev.ferry.tunnel.wire.WireTestKit.fromHex;
import static dev.ferry.tunnel.wire.WireTestKit.releaseAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a frame can break the spec, one case each: the decoder handler fails with a {@link DecoderException}
 * caused by a {@link ProtocolException} whose message names the frame type and the problem, emits nothing, and
 * releases its input; {@link FrameDecoder#decodeOne} throws the {@link ProtocolException} itself.
 */
class MalformedFrameTest {

    record Case(String name, String hex, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> malformed() {
        return Stream.of(
                // header
                new Case("unknown type 0x0b", "0b 00 00000001 0000", "unknown frame type 0x0b"),
                new Case("DATAGRAM without an address", "0a 00 00000001 0000", "DATAGRAM frame: address truncated"),
                new Case("DATAGRAM with flow id 0", "0a 00 00000000 0007 | 01 7f000001 0035",
                        "DATAGRAM frame: stream id must not be 0"),
                new Case("DATAGRAM to an unknown address type", "0a 00 00000001 0003 | 02 0035",
                        "DATAGRAM frame: unknown address type 0x02"),
                new Case("type 0x00", "00 00 00000000 0000", "unknown frame type 0x00"),
                new Case("type 0xff", "ff 00 00000001 0000", "unknown frame type 0xff"),
                new Case("length MAX_PAYLOAD+1, failing on the header alone", "03 00 00000001 4001",
                        "DATA frame: length 16385 exceeds the maximum of 16384"),
                new Case("length 0xffff", "07 00 00000000 ffff", "PING frame: length 65535 exceeds"),
                // stream ids
                new Case("OPEN on stream 0", "01 00 00000000 0007 | 01 0a000001 01bb",
                        "OPEN frame: stream id must not be 0"),
                new Case("OPEN_RESULT on stream 0", "02 00 00000000 0001 | 00",
                        "OPEN_RESULT frame: stream id must not be 0"),
                new Case("DATA on stream 0", "03 00 00000000 0001 | 61", "DATA frame: stream id must not be 0"),
                new Case("FIN on stream 0", "04 00 00000000 0000", "FIN frame: stream id must not be 0"),
                new Case("RESET on stream 0", "05 00 00000000 0001 | 01", "RESET frame: stream id must not be 0"),
                new Case("WINDOW_UPDATE on stream 0", "06 00 00000000 0004 | 00000001",
                        "WINDOW_UPDATE frame: stream id must not be 0"),
                new Case("PING on stream 1", "07 00 00000001 0008 | 0000000000000000",
                        "PING frame: stream id must be 0, got 1"),
                new Case("PONG on stream 2^31", "08 00 80000000 0008 | 0000000000000000",
                        "PONG frame: stream id must be 0, got 2147483648"),
                new Case("CONTROL on stream 3", "09 00 00000003 0005 | 02 00000000",
                        "CONTROL frame: stream id must be 0, got 3"),
                // OPEN destination
                new Case("OPEN with empty payload", "01 00 00000001 0000",
                        "OPEN frame: destination truncated, address type needs 1 bytes, 0 left"),
                new Case("OPEN with unknown address type 0x02", "01 00 00000001 0007 | 02 0a000001 01bb",
                        "OPEN frame: unknown address type 0x02"),
                new Case("OPEN IPv4 without port", "01 00 00000001 0005 | 01 0a000001",
                        "OPEN frame: destination truncated, IPV4 address and port needs 6 bytes, 4 left"),
                new Case("OPEN IPv6 cut short", "01 00 00000001 0009 | 04 20010db800000000",
                        "OPEN frame: destination truncated, IPV6 address and port needs 18 bytes, 8 left"),
                new Case("OPEN domain without length byte", "01 00 00000001 0001 | 03",
                        "OPEN frame: destination truncated, domain name length needs 1 bytes, 0 left"),
                new Case("OPEN domain of length 0", "01 00 00000001 0004 | 03 00 0050",
                        "OPEN frame: empty domain name"),
                new Case("OPEN domain shorter than its length byte", "01 00 00000001 0007 | 03 14 6578616d70",
                        "OPEN frame: destination truncated, domain name of 20 bytes and port needs 22 bytes"),
                new Case("OPEN domain without port", "01 00 00000001 0005 | 03 03 616263",
                        "OPEN frame: destination truncated, domain name of 3 bytes and port needs 5 bytes, 3 left"),
                new Case("OPEN domain with a non-ASCII byte", "01 00 00000001 0007 | 03 03 61e962 0050",
                        "OPEN frame: domain name byte 1 is 0xe9, not printable ASCII"),
                new Case("OPEN domain with a space", "01 00 00000001 0007 | 03 03 612062 0050",
                        "OPEN frame: domain name byte 1 is 0x20"),
                new Case("OPEN destination cut short does not read into the next frame",
                        "01 00 00000001 0001 | 01 || 07 00 00000000 0008 | 0000000000000000",
                        "OPEN frame: destination truncated, IPV4 address and port needs 6 bytes, 0 left"),
                // fixed lengths
                new Case("OPEN_RESULT of 0 bytes", "02 00 00000001 0000",
                        "OPEN_RESULT frame: payload must be exactly 1 bytes, got 0"),
                new Case("OPEN_RESULT of 2 bytes", "02 00 00000001 0002 | 0000",
                        "OPEN_RESULT frame: payload must be exactly 1 bytes, got 2"),
                new Case("empty DATA", "03 00 00000001 0000", "DATA frame: payload must not be empty"),
                new Case("FIN with a payload", "04 00 00000001 0001 | 00",
                        "FIN frame: payload must be exactly 0 bytes, got 1"),
                new Case("RESET of 0 bytes", "05 00 00000001 0000",
                        "RESET frame: payload must be exactly 1 bytes, got 0"),
                new Case("RESET of 2 bytes", "05 00 00000001 0002 | 0101",
                        "RESET frame: payload must be exactly 1 bytes, got 2"),
                new Case("WINDOW_UPDATE of 3 bytes", "06 00 00000001 0003 | 000001",
                        "WINDOW_UPDATE frame: payload must be exactly 4 bytes, got 3"),
                new Case("WINDOW_UPDATE of 5 bytes", "06 00 00000001 0005 | 0000000001",
                        "WINDOW_UPDATE frame: payload must be exactly 4 bytes, got 5"),
                new Case("WINDOW_UPDATE increment 0", "06 00 00000001 0004 | 00000000",
                        "WINDOW_UPDATE frame: increment must be 1 .. 2^31-1, got 0"),
                new Case("WINDOW_UPDATE increment 2^31", "06 00 00000001 0004 | 80000000",
                        "WINDOW_UPDATE frame: increment must be 1 .. 2^31-1, got 2147483648"),
                new Case("WINDOW_UPDATE increment 2^32-1", "06 00 00000001 0004 | ffffffff",
                        "WINDOW_UPDATE frame: increment must be 1 .. 2^31-1, got 4294967295"),
                new Case("PING of 7 bytes", "07 00 00000000 0007 | 00000000000000",
                        "PING frame: payload must be exactly 8 bytes, got 7"),
                new Case("PING of 9 bytes", "07 00 00000000 0009 | 000000000000000000",
                        "PING frame: payload must be exactly 8 bytes, got 9"),
                new Case("PONG of 0 bytes", "08 00 00000000 0000",
                        "PONG frame: payload must be exactly 8 bytes, got 0"),
                // CONTROL
                new Case("CONTROL without subtype", "09 00 00000000 0000",
                        "CONTROL frame: payload must hold at least the subtype byte"),
                new Case("LOAD_REPORT body of 6 bytes", "09 00 00000000 0007 | 01 | 00000001 0001",
                        "CONTROL frame: LOAD_REPORT body must be exactly 7 bytes, got 6"),
                new Case("LOAD_REPORT body of 8 bytes", "09 00 00000000 0009 | 01 | 00000001 0001 00 00",
                        "CONTROL frame: LOAD_REPORT body must be exactly 7 bytes, got 8"),
                new Case("LOAD_REPORT draining 2", "09 00 00000000 0008 | 01 | 00000001 0001 02",
                        "CONTROL frame: LOAD_REPORT draining must be 0 or 1, got 2"),
                new Case("LOAD_REPORT active streams 2^31", "09 00 00000000 0008 | 01 | 80000000 0001 00",
                        "CONTROL frame: LOAD_REPORT active streams must be below 2^31, got 2147483648"),
                new Case("GO_AWAY body of 3 bytes", "09 00 00000000 0004 | 02 | 000001",
                        "CONTROL frame: GO_AWAY body must be exactly 4 bytes, got 3"),
                new Case("GO_AWAY body of 5 bytes", "09 00 00000000 0006 | 02 | 0000000100",
                        "CONTROL frame: GO_AWAY body must be exactly 4 bytes, got 5"));
    }

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void allBuffersReleased() {
        alloc.assertAllReleased();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void handlerRejects(Case c) {
        EmbeddedChannel channel = channel(alloc, new FrameDecoder());
        ByteBuf in = fromHex(alloc, c.hex());
        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(in));
        ProtocolException cause = assertInstanceOf(ProtocolException.class, e.getCause());
        assertTrue(cause.getMessage().startsWith(c.message()),
                () -> "expected a message starting with <" + c.message() + "> but was <" + cause.getMessage() + ">");
        List<Frame> frames = drainInbound(channel);
        releaseAll(frames);
        assertEquals(List.of(), frames);
        assertEquals(0, in.refCnt(), "the decoder discarded and released the rest of its input");
        assertFalse(channel.finishAndReleaseAll());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void decodeOneRejects(Case c) {
        ByteBuf in = fromHex(alloc, c.hex());
        try {
            ProtocolException e = assertThrows(ProtocolException.class, () -> FrameDecoder.decodeOne(in));
            assertTrue(e.getMessage().startsWith(c.message()),
                    () -> "expected a message starting with <" + c.message() + "> but was <" + e.getMessage() + ">");
        } finally {
            in.release();
        }
    }

    @Test
    void framesBeforeTheErrorAreDelivered() {
        EmbeddedChannel channel = channel(alloc, new FrameDecoder());
        ByteBuf in = fromHex(alloc, "07 00 00000000 0008 | 0000000000000007 || 03 00 00000001 0000");
        assertThrows(DecoderException.class, () -> channel.writeInbound(in));
        assertEquals(List.of(new Frame.Ping(7)), drainInbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void everythingAfterTheFirstErrorIsDiscarded() {
        EmbeddedChannel channel = channel(alloc, new FrameDecoder());
        ByteBuf bad = fromHex(alloc, "0b 00 00000001 0000 || 07 00 00000000 0008 | 0000000000000001");
        assertThrows(DecoderException.class, () -> channel.writeInbound(bad));
        ByteBuf good = fromHex(alloc, "07 00 00000000 0008 | 0000000000000002 || 03 00 00000001 0001 | 61");
        assertFalse(channel.writeInbound(good), "a valid frame after the error is not decoded");
        assertEquals(0, good.refCnt());
        ByteBuf alsoBad = fromHex(alloc, "ff ff ff ff");
        assertFalse(channel.writeInbound(alsoBad), "nor does garbage raise a second error");
        assertEquals(0, alsoBad.refCnt());
        assertEquals(List.of(), drainInbound(channel));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unknownControlSubtypeIsSkipped() {
        EmbeddedChannel channel = channel(alloc, new FrameDecoder());
        ByteBuf in = fromHex(alloc, """
                09 00 00000000 0004 | 7f | 010203
                09 00 00000000 0001 | 00
                07 00 00000000 0008 | 0000000000000009
                09 00 00000000 0001 | ff
                """);
        channel.writeInbound(in);
        assertEquals(List.of(new Frame.Ping(9)), drainInbound(channel));
        assertEquals(0, in.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unknownControlSubtypeAloneYieldsNothing() {
        ByteBuf in = fromHex(alloc, "09 00 00000000 0003 | 42 | ffff");
        try {
            assertEquals(null, FrameDecoder.decodeOne(in));
            assertFalse(in.isReadable(), "the skipped frame was consumed");
        } finally {
            in.release();
        }
    }
}
