package dev.ferry.transport.kcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/** Test handlers: an echo with backpressure, and a client that sends seeded bytes and checks what comes back. */
final class EchoAndCheck {
    private EchoAndCheck() {
    }

    /** Echoes everything, and stops reading while the channel cannot take more. */
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
    }

    /**
     * Sends {@code total} bytes from a seeded generator as fast as the channel accepts, and completes {@link #done}
     * with the SHA-256 of what came back once {@code total} bytes did. {@code progress} sees the echoed byte count.
     */
    static final class Sender extends ChannelInboundHandlerAdapter {
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private final long total;
        private final SplittableRandom random;
        private final MessageDigest received = sha256();
        private final LongConsumer progress;
        private long sent;
        private long echoed;

        Sender(long total, long seed, LongConsumer progress) {
            this.total = total;
            this.random = new SplittableRandom(seed);
            this.progress = progress;
        }

        /** The SHA-256 of the {@code total} bytes this seed produces. */
        static byte[] expected(long total, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            MessageDigest md = sha256();
            byte[] chunk = new byte[16 * 1024];
            for (long left = total; left > 0; left -= chunk.length) {
                r.nextBytes(chunk);
                md.update(chunk, 0, (int) Math.min(chunk.length, left));
            }
            return md.digest();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            pump(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                ctx.channel().eventLoop().execute(() -> pump(ctx));
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
        }

        private void pump(ChannelHandlerContext ctx) {
            byte[] chunk = new byte[16 * 1024];
            boolean wrote = false;
            while (sent < total && ctx.channel().isWritable()) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, total - sent);
                ctx.write(ctx.alloc().buffer(n).writeBytes(chunk, 0, n));
                sent += n;
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                echoed += buf.readableBytes();
                received.update(buf.nioBuffer());
            } finally {
                buf.release();
            }
            progress.accept(echoed);
            if (echoed >= total) {
                done.complete(received.digest());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("closed after " + echoed + " of " + total
                    + " bytes echoed"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
