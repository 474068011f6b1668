package dev.ferry.tunnel.wire;

import static dev.ferry.tunnel.wire.WireTestKit.channel;
import static dev.ferry.tunnel.wire.WireTestKit.drainInbound;
import static dev.ferry.tunnel.wire.WireTestKit.releaseAll;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Hostile bytes into the decoder: it may only ever fail with a {@link ProtocolException} (wrapped in a
 * {@link DecoderException}), never allocate more than a frame's worth beyond its input, and never leak. Each case
 * has its own seed, printed on failure; run with {@code -Dferry.test.seed=N} to change the master seed.
 */
class FrameDecoderFuzzTest {

    private static final int ITERATIONS = 3000;

    @Test
    void randomAndMutatedBytesNeverBreakTheDecoder() {
        long master = Long.getLong("ferry.test.seed", 0xF022_5EEDL);
        SplittableRandom seeds = new SplittableRandom(master);
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = seeds.nextLong();
            try {
                runCase(seed, i % 3);
            } catch (AssertionError | RuntimeException | OutOfMemoryError e) {
                throw new AssertionError("fuzz case " + i + " failed; seed " + seed + ", mode " + (i % 3)
                        + ", master seed " + master + ": " + e, e);
            }
        }
    }

    /** Mode 0: uniform random bytes. 1: valid frames with a few bytes changed. 2: plausible headers, random bodies. */
    private static void runCase(long seed, int mode) {
        SplittableRandom random = new SplittableRandom(seed);
        TrackingAllocator alloc = new TrackingAllocator();
        byte[] input = switch (mode) {
            case 0 -> randomBytes(random, random.nextInt(4096));
            case 1 -> mutatedFrames(random, alloc);
            default -> plausibleHeaders(random);
        };
        EmbeddedChannel channel = channel(alloc, new FrameDecoder());
        List<Frame> frames = new ArrayList<>();
        boolean failed = false;
        for (int at = 0; at < input.length; ) {
            int size = Math.min(input.length - at, 1 + random.nextInt(2048));
            ByteBuf chunk = alloc.buffer(size).writeBytes(input, at, size);
            at += size;
            try {
                channel.writeInbound(chunk);
            } catch (DecoderException e) {
                assertTrue(e.getCause() instanceof ProtocolException, () -> "not a protocol error: " + e.getCause());
                assertTrue(!failed, "a second error after the first");
                failed = true;
            }
            frames.addAll(drainInbound(channel));
        }
        channel.finishAndReleaseAll();
        frames.addAll(drainInbound(channel));
        releaseAll(frames);
        alloc.assertAllReleased();
        int bound = input.length + WireFormat.HEADER_LENGTH + WireFormat.MAX_PAYLOAD;
        if (alloc.largestRequest() > bound) {
            fail("allocated " + alloc.largestRequest() + " bytes for " + input.length + " bytes of input");
        }

        // The static entry point sees the same bytes in one piece.
        ByteBuf whole = alloc.buffer(input.length).writeBytes(input);
        try {
            for (Frame f; (f = FrameDecoder.decodeOne(whole)) != null; ) {
                WireTestKit.release(f);
            }
        } catch (ProtocolException expected) {
            // fine: the only failure allowed
        } finally {
            whole.release();
        }
        alloc.assertAllReleased();
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] mutatedFrames(SplittableRandom random, TrackingAllocator alloc) {
        RandomFrames frames = new RandomFrames(random, alloc);
        ByteBuf wire = alloc.buffer();
        int count = 1 + random.nextInt(8);
        for (int i = 0; i < count; i++) {
            ByteBuf one = FrameEncoder.encode(frames.next(), alloc);
            wire.writeBytes(one);
            one.release();
        }
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes).release();
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations && bytes.length > 0; i++) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** Known types, mostly legal stream ids and small lengths, so the payload parsers see the random bytes. */
    private static byte[] plausibleHeaders(SplittableRandom random) {
        ByteBuf wire = io.netty.buffer.Unpooled.buffer();
        int count = 1 + random.nextInt(16);
        for (int i = 0; i < count; i++) {
            int type = 1 + random.nextInt(FrameType.values().length);
            boolean connectionLevel = FrameType.fromCode(type).isConnectionLevel();
            int streamId = random.nextInt(10) == 0 ? random.nextInt() : connectionLevel ? 0 : 1 + random.nextInt(99);
            int length = random.nextInt(10) == 0 ? random.nextInt(65536) : random.nextInt(24);
            int bodyLength = Math.min(length, random.nextInt(4) == 0 ? random.nextInt(1 << 15) : length);
            wire.writeByte(type).writeByte(random.nextInt(256)).writeInt(streamId).writeShort(length)
                    .writeBytes(randomBytes(random, bodyLength));
        }
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes).release();
        return bytes;
    }
}
