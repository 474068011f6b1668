package dev.ferry.transport.kcp;

import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.udp.FecSetting;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Latency behind a bulk transfer, over real UDP sockets on 127.0.0.1: a client sending at a declared 8 Mbit/s writes
 * as fast as its channel stays writable, and a byte written once the channel first pushes back must reach the server
 * within a fraction of a second. The engine keeps only about 20 ms of its rate unsent ({@link
 * dev.ferry.transport.kcp.engine.KcpEngine#sendCapacity}); before, it took 2 x sndwnd segments (2.6 MB at the default
 * window), and every later byte, another stream's keystroke included, waited behind seconds of bulk.
 */
class KcpSendBacklogTest extends KcpSocketTest {
    private static final long SEED = Long.getLong("ferry.seed", 20261122L);
    private static final int MTU = 1350;
    private static final long RATE_BITS = 8_000_000;
    /** Bulk written before the measurement may start: enough for any backlog to build. */
    private static final long BULK_BEFORE_MARK = 1 << 20;
    /** The writer stops here whatever happens: at the rate, 16 s of data. */
    private static final long BULK_LIMIT = 16L << 20;

    @Test
    void aByteWrittenBehindBulkArrivesWithinAFractionOfASecond() throws Exception {
        PresharedKey key = KcpTestOptions.key(SEED);
        KcpConfig engine = KcpConfig.fast3().withWindows(2048, 2048)
                .withDeclaredRate(KcpOptions.engineBytesPerSecond(RATE_BITS, MTU));
        Counter counter = new Counter();
        listener = new KcpTransport(io, KcpTestOptions.options(key, SEED, FecSetting.OFF))
                .listen(group, LOOPBACK, new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(counter);
                    }
                }).syncUninterruptibly().getNow();
        BulkWriter writer = new BulkWriter(counter);
        Channel client = new KcpTransport(io, KcpTestOptions.options(key, SEED + 1, engine, FecSetting.OFF, 0))
                .connect(group, (InetSocketAddress) listener.localAddress(), writer).get(5, TimeUnit.SECONDS);
        try {
            long markedAt = writer.markedAt.get(30, TimeUnit.SECONDS);
            long arrivedAt = counter.arrivedAt.get(30, TimeUnit.SECONDS);
            double seconds = (arrivedAt - markedAt) / 1e9;
            System.out.printf("KcpSendBacklogTest: byte %d arrived %.3f s after it was queued%n", writer.mark, seconds);
            // At 1 MB/s: the channel's outbound buffer (128 KiB high-water mark), the unsent minimum (32 segments,
            // 41 KB) and what flies; about 0.2 s. Holding 2 x sndwnd segments would be about 5 s.
            assertTrue(seconds < 0.6, String.format("the byte written at %d bytes of bulk arrived %.2f s later; "
                    + "seed %d", writer.mark, seconds, SEED));
        } finally {
            client.close().sync();
        }
    }

    /** Counts bytes received; completes {@link #arrivedAt} once the byte at {@link #target} arrived. */
    static final class Counter extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Long> arrivedAt = new CompletableFuture<>();
        volatile long target = Long.MAX_VALUE;
        private long received;

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received += ((ByteBuf) msg).readableBytes();
            ReferenceCountUtil.release(msg);
            if (received >= target) {
                arrivedAt.complete(System.nanoTime());
            }
        }
    }

    /**
     * Writes 16 KiB buffers while the channel is writable, up to {@link #BULK_LIMIT}; the first time it pushes back
     * after {@link #BULK_BEFORE_MARK}, the next byte to be written is marked: the server is told to time its arrival,
     * which is how long a byte queued then waits behind what was queued before it.
     */
    static final class BulkWriter extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Long> markedAt = new CompletableFuture<>();
        private final Counter counter;
        private final ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[16 * 1024]));
        private long written;
        volatile long mark = -1;

        BulkWriter(Counter counter) {
            this.counter = counter;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            writeWhileWritable(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            writeWhileWritable(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        /** Writes until a flush leaves the channel unwritable: the engine took what it would, the rest waits. */
        private void writeWhileWritable(ChannelHandlerContext ctx) {
            while (ctx.channel().isWritable() && written < BULK_LIMIT) {
                while (ctx.channel().isWritable() && written < BULK_LIMIT) {
                    ctx.write(chunk.duplicate());
                    written += chunk.readableBytes();
                }
                ctx.flush();
            }
            if (!ctx.channel().isWritable() && written >= BULK_BEFORE_MARK && mark < 0) {
                mark = written + 1;
                counter.target = mark;
                markedAt.complete(System.nanoTime());
            }
        }
    }
}
