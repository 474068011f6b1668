package dev.ferry.bench;

import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.FrameDecoder;
import dev.ferry.tunnel.wire.FrameEncoder;
import dev.ferry.tunnel.wire.WireFormat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The frame codec on its own: {@link FrameEncoder#encode(Frame, ByteBufAllocator)} into one contiguous pooled
 * buffer, {@link FrameDecoder#decodeOne} on those bytes, and the same decode through the Netty handler in an
 * {@link EmbeddedChannel} (adds {@code ByteToMessageDecoder}'s per-read bookkeeping).
 *
 * <p>Buffers: every encoded buffer and every decoded payload slice is released inside the benchmark method, so the
 * pool is in steady state and a leak would show as a growing heap, not as a faster number.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBench {

    /** A full DATA frame (the largest payload a frame may carry) and a small WINDOW_UPDATE. */
    @Param({"DATA_16K", "WINDOW_UPDATE"})
    public String frame;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf payload;
    private Supplier<Frame> frames;
    private ByteBuf encoded;
    private EmbeddedChannel channel;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = new byte[WireFormat.MAX_PAYLOAD];
        new SplittableRandom(42).nextBytes(bytes);
        payload = alloc.directBuffer(bytes.length).writeBytes(bytes);
        frames = switch (frame) {
            // The encoder consumes (releases) the frame's payload, so each frame gets its own reference.
            case "DATA_16K" -> () -> new Frame.Data(1, payload.retainedDuplicate());
            case "WINDOW_UPDATE" -> () -> new Frame.WindowUpdate(1, 256 * 1024);
            default -> throw new IllegalArgumentException("unknown frame " + frame);
        };
        encoded = FrameEncoder.encode(frames.get(), alloc);
        channel = new EmbeddedChannel(new FrameDecoder());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        encoded.release();
        payload.release();
    }

    @Benchmark
    public int encode() {
        ByteBuf out = FrameEncoder.encode(frames.get(), alloc);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @Benchmark
    public int decode() {
        ByteBuf in = encoded.duplicate(); // own reader index; decodeOne takes retained slices of it
        Frame decoded = FrameDecoder.decodeOne(in);
        return release(decoded);
    }

    @Benchmark
    public int decodeInChannel() {
        channel.writeInbound(encoded.retainedDuplicate());
        Frame decoded = channel.readInbound();
        return release(decoded);
    }

    private static int release(Frame decoded) {
        if (decoded instanceof Frame.Data data) {
            int n = data.payload().readableBytes();
            data.payload().release();
            return n;
        }
        return decoded.streamId();
    }
}
