package dev.ferry.tunnel.secure;

import dev.ferry.crypto.Aead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Seals the outbound byte stream into records. Writes are gathered until {@code flush()} (or until a full batch is
 * pending) so that the many small frames of one event-loop turn share records. The write promises complete when
 * the sealed bytes they went into are written. Owned by one channel; runs on its event loop only.
 */
final class RecordEncoder extends ChannelOutboundHandlerAdapter {
    /** Pending plaintext beyond this is sealed at once, so memory stays bounded without a flush. */
    private static final int MAX_PENDING = 4 * RecordFormat.MAX_PAYLOAD;

    private final Aead aead;
    private final ByteBuffer lengthField = ByteBuffer.allocate(RecordFormat.LENGTH_FIELD);
    private ByteBuf pending;
    private final List<ChannelPromise> promises = new ArrayList<>();
    private long counter;

    RecordEncoder(Aead aead) {
        this.aead = aead;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            // Anything but bytes would bypass the seal: refuse it rather than send it in clear.
            ReferenceCountUtil.release(msg);
            promise.setFailure(new io.netty.handler.codec.UnsupportedMessageTypeException(msg, ByteBuf.class));
            return;
        }
        try {
            if (pending == null) {
                pending = ctx.alloc().heapBuffer(Math.max(buf.readableBytes(), 1024));
            }
            pending.writeBytes(buf);
        } finally {
            buf.release();
        }
        if (!promise.isVoid()) {
            promises.add(promise);
        }
        if (pending.readableBytes() >= MAX_PENDING) {
            sealPending(ctx);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        sealPending(ctx);
        ctx.flush();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discard(new java.nio.channels.ClosedChannelException());
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        discard(new java.nio.channels.ClosedChannelException());
        ctx.close(promise);
    }

    private void sealPending(ChannelHandlerContext ctx) {
        if (pending == null || !pending.isReadable()) {
            if (!promises.isEmpty()) { // empty writes: complete them in order, after what went before
                ctx.write(io.netty.buffer.Unpooled.EMPTY_BUFFER, completing(ctx));
            }
            return;
        }
        int plain = pending.readableBytes();
        int records = (plain + RecordFormat.MAX_PAYLOAD - 1) / RecordFormat.MAX_PAYLOAD;
        int tag = aead.tagLength();
        ByteBuf out = ctx.alloc().heapBuffer(plain + records * (RecordFormat.LENGTH_FIELD + 2 * tag));
        try {
            while (pending.isReadable()) {
                int n = Math.min(pending.readableBytes(), RecordFormat.MAX_PAYLOAD);
                lengthField.clear();
                lengthField.putShort((short) n).flip();
                seal(lengthField, out, RecordFormat.LENGTH_FIELD + tag);
                seal(pending.nioBuffer(pending.readerIndex(), n), out, n + tag);
                pending.skipBytes(n);
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        pending.clear();
        if (pending.capacity() > MAX_PENDING * 2) {
            pending.release();
            pending = null;
        }
        ctx.write(out, completing(ctx));
    }

    /** A promise for one sealed write that completes every write promise gathered into it. */
    private ChannelPromise completing(ChannelHandlerContext ctx) {
        ChannelPromise p = ctx.newPromise();
        if (!promises.isEmpty()) {
            List<ChannelPromise> done = new ArrayList<>(promises);
            promises.clear();
            p.addListener(f -> {
                for (ChannelPromise each : done) {
                    if (f.isSuccess()) {
                        each.trySuccess();
                    } else {
                        each.tryFailure(f.cause());
                    }
                }
            });
        }
        return p;
    }

    private void seal(ByteBuffer in, ByteBuf out, int sealedLength) {
        if (counter >= RecordFormat.MAX_COUNTER) {
            throw new IllegalStateException("record nonce space exhausted; reconnect");
        }
        ByteBuffer dst = out.nioBuffer(out.writerIndex(), sealedLength);
        aead.seal(counter++, in, dst);
        out.writerIndex(out.writerIndex() + sealedLength);
    }

    private void discard(Throwable cause) {
        if (pending != null) {
            ReferenceCountUtil.safeRelease(pending);
            pending = null;
        }
        for (ChannelPromise p : promises) {
            p.tryFailure(cause);
        }
        promises.clear();
    }
}
