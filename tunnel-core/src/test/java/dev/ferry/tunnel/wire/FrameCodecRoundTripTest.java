package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireTestKit.ascii;
import static dev.ferry.tunnel.wire.WireTestKit.bytes;
import static dev.ferry.tunnel.wire.WireTestKit.channel;
import static dev.ferry.tunnel.wire.WireTestKit.drainInbound;
import static dev.ferry.tunnel.wire.WireTestKit.drainOutbound;
import static dev.ferry.tunnel.wire.WireTestKit.outboundBuffers;
import static dev.ferry.tunnel.wire.WireTestKit.pattern;
import static dev.ferry.tunnel.wire.WireTestKit.payloadOf;
import static dev.ferry.tunnel.wire.WireTestKit.releaseAll;
import static dev.ferry.tunnel.wire.WireTestKit.sampleFrames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Frames through {@code EmbeddedChannel(new FrameEncoder())}, the bytes it wrote into
 * {@code EmbeddedChannel(new FrameDecoder())}, and back to equal frames, however the bytes are cut.
 */
class FrameCodecRoundTripTest {

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void allBuffersReleased() {
        alloc.assertAllReleased();
    }

    /** Encodes {@code frames} through the encoder handler and returns everything it wrote as one buffer. */
    private ByteBuf encodeAll(List<Frame> frames) {
        EmbeddedChannel encoder = channel(alloc, new FrameEncoder());
        encoder.writeOutbound(frames.toArray());
        ByteBuf wire = drainOutbound(encoder, alloc);
        assertFalse(encoder.finishAndReleaseAll());
        for (Frame f : frames) {
            ByteBuf payload = payloadOf(f);
            if (payload != Unpooled.EMPTY_BUFFER) {
                assertEquals(0, payload.refCnt(), "encoder passed on and the channel released " + f.type());
            }
        }
        return wire;
    }

    /** Feeds {@code chunks} to a fresh decoder handler, one write each, and returns the frames it produced. */
    private List<Frame> decodeChunks(List<ByteBuf> chunks) {
        EmbeddedChannel decoder = channel(alloc, new FrameDecoder());
        List<Frame> frames = new ArrayList<>();
        for (ByteBuf chunk : chunks) {
            decoder.writeInbound(chunk);
            frames.addAll(drainInbound(decoder));
        }
        assertFalse(decoder.finishAndReleaseAll());
        frames.addAll(drainInbound(decoder));
        return frames;
    }

    private ByteBuf copy(ByteBuf wire, int from, int to) {
        return alloc.buffer(to - from).writeBytes(wire, from, to - from);
    }

    private void assertDecodes(List<Frame> expected, List<ByteBuf> chunks, String how) {
        List<Frame> decoded = decodeChunks(chunks);
        try {
            assertEquals(expected, decoded, how);
        } finally {
            releaseAll(decoded);
        }
    }

    @Test
    void manyFramesInOneBuffer() {
        List<Frame> expected = sampleFrames(alloc);
        ByteBuf wire = encodeAll(sampleFrames(alloc));
        try {
            assertDecodes(expected, List.of(wire), "all frames in one write");
        } finally {
            releaseAll(expected);
        }
        assertEquals(0, wire.refCnt());
    }

    @Test
    void framesSplitAtEveryByteBoundary() {
        List<Frame> expected = sampleFrames(alloc);
        ByteBuf wire = encodeAll(sampleFrames(alloc));
        int n = wire.readableBytes();
        try {
            for (int cut = 1; cut < n; cut++) {
                assertDecodes(expected, List.of(copy(wire, 0, cut), copy(wire, cut, n)), "cut at byte " + cut);
            }
        } finally {
            releaseAll(expected);
            wire.release();
        }
    }

    @Test
    void framesFedOneByteAtATime() {
        List<Frame> expected = sampleFrames(alloc);
        ByteBuf wire = encodeAll(sampleFrames(alloc));
        List<ByteBuf> chunks = new ArrayList<>();
        for (int i = 0; i < wire.readableBytes(); i++) {
            chunks.add(copy(wire, i, i + 1));
        }
        try {
            assertDecodes(expected, chunks, "one byte per write");
        } finally {
            releaseAll(expected);
            wire.release();
        }
    }

    @Test
    void largestFramesRoundTrip() {
        Destination domain = Destination.domain("a".repeat(Destination.MAX_DOMAIN_LENGTH), 65535);
        int firstBytes = WireFormat.maxOpenFirstBytes(domain);
        assertEquals(WireFormat.MAX_PAYLOAD - (1 + 1 + 255 + 2), firstBytes);
        List<Frame> expected = List.of(
                new Frame.Data(1, bytes(alloc, pattern(WireFormat.MAX_PAYLOAD))),
                new Frame.Open(3, domain, bytes(alloc, pattern(firstBytes)), true));
        List<Frame> sent = List.of(
                new Frame.Data(1, bytes(alloc, pattern(WireFormat.MAX_PAYLOAD))),
                new Frame.Open(3, domain, bytes(alloc, pattern(firstBytes)), true));
        ByteBuf wire = encodeAll(sent);
        int n = wire.readableBytes();
        assertEquals(2 * (WireFormat.HEADER_LENGTH + WireFormat.MAX_PAYLOAD), n);
        try {
            // Cuts around the headers and through the payloads; every-byte cuts of 32 KiB would only be slow.
            for (int cut : new int[] {1, 7, 8, 9, 4000, n / 2 - 1, n / 2, n / 2 + 1, n / 2 + 8, n - 1}) {
                assertDecodes(expected, List.of(copy(wire, 0, cut), copy(wire, cut, n)), "cut at byte " + cut);
            }
        } finally {
            releaseAll(expected);
            wire.release();
        }
    }

    @Test
    void dataAndOpenPayloadsAreWrittenWithoutCopy() {
        EmbeddedChannel encoder = channel(alloc, new FrameEncoder());
        ByteBuf data = ascii(alloc, "hello");
        ByteBuf first = ascii(alloc, "GET");
        encoder.writeOutbound(new Frame.Data(7, data),
                new Frame.Open(3, Destination.parse("10.0.0.1", 80), first, false),
                new Frame.Open(5, Destination.parse("10.0.0.1", 80), Unpooled.EMPTY_BUFFER, false),
                new Frame.Ping(1));
        List<ByteBuf> written = outboundBuffers(encoder);
        try {
            assertEquals(4, written.size(), "one buffer per frame");
            CompositeByteBuf dataFrame = assertInstanceOf(CompositeByteBuf.class, written.get(0));
            assertEquals(2, dataFrame.numComponents(), "header + payload, not a copy");
            assertEquals(WireFormat.HEADER_LENGTH + 5, dataFrame.readableBytes());
            CompositeByteBuf openFrame = assertInstanceOf(CompositeByteBuf.class, written.get(1));
            assertEquals(2, openFrame.numComponents());
            assertEquals(WireFormat.HEADER_LENGTH + 1 + 4 + 2 + 3, openFrame.readableBytes());
            assertEquals(WireFormat.HEADER_LENGTH + 1 + 4 + 2, written.get(2).readableBytes());
            assertEquals(WireFormat.HEADER_LENGTH + WireFormat.PING_LENGTH, written.get(3).readableBytes());
            assertEquals(1, data.refCnt(), "ownership moved to the channel, not released early");
        } finally {
            written.forEach(ByteBuf::release);
        }
        assertEquals(0, data.refCnt());
        assertEquals(0, first.refCnt());
        assertFalse(encoder.finishAndReleaseAll());
    }

    @Test
    void decodedPayloadsAreSlicesOfTheInput() {
        ByteBuf in = WireTestKit.fromHex(alloc, "03 00 00000007 0005 | 68656c6c6f");
        EmbeddedChannel decoder = channel(alloc, new FrameDecoder());
        decoder.writeInbound(in);
        Frame.Data data = decoder.readInbound();
        try {
            assertEquals(1, in.refCnt(), "the decoder let go of its input; the slice holds the only reference");
            in.setByte(WireFormat.HEADER_LENGTH, 'J');
            assertEquals('J', data.payload().getByte(0), "the payload is a view of the input, not a copy");
        } finally {
            data.payload().release();
        }
        assertEquals(0, in.refCnt());
        assertFalse(decoder.finishAndReleaseAll());
    }

    @Test
    void randomValidFramesRoundTrip() {
        long seed = Long.getLong("ferry.test.seed", 0x5EED_F7A3EL);
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            long roundSeed = random.nextLong();
            RandomFrames generator = new RandomFrames(new SplittableRandom(roundSeed), alloc);
            int count = 1 + generator.random().nextInt(20);
            List<Frame> sent = new ArrayList<>();
            List<Frame> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long frameSeed = generator.random().nextLong();
                sent.add(new RandomFrames(new SplittableRandom(frameSeed), alloc).next());
                expected.add(new RandomFrames(new SplittableRandom(frameSeed), alloc).next());
            }
            ByteBuf wire = encodeAll(sent);
            List<ByteBuf> chunks = new ArrayList<>();
            for (int at = 0; at < wire.readableBytes(); ) {
                int size = Math.min(wire.readableBytes() - at, 1 + generator.random().nextInt(3000));
                chunks.add(copy(wire, at, at + size));
                at += size;
            }
            wire.release();
            try {
                assertDecodes(expected, chunks, "round seed " + roundSeed + " (master seed " + seed + ")");
            } finally {
                releaseAll(expected);
            }
        }
    }
}
