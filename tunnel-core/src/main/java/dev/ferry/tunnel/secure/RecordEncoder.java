package dev.ferry.tunnel.secure;

import dev.ferry.crypto.Aead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.util.ReferenceCountUtil;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;

/**
 * Seals the outbound byte stream into records. Each written buffer is one frame (see {@code FrameEncoder}); a
 * record gathers whole frames until the next would not fit, so frames never straddle records and the small frames
 * of one event-loop turn share a record. Sealed records are written in batches and at {@code flush()}; the write
 * promises complete when the sealed bytes they went into are written. A buffer larger than a record (not a frame)
 * is cut into full records. Owned by one channel; runs on its event loop only.
 */
final class RecordEncoder extends ChannelOutboundHandlerAdapter {
    /** Sealed bytes beyond this are written at once, so memory stays bounded without a flush. */
    private static final int MAX_BATCH = 4 * RecordFormat.MAX_PAYLOAD;

    private final Aead aead;
    private final ByteBuffer lengthField = ByteBuffer.allocate(RecordFormat.LENGTH_FIELD);
    private final List<ChannelPromise> promises = new ArrayList<>();
    /** Plaintext of the record being gathered. */
    private ByteBuf pending;
    /** Sealed records not yet written. */
    private ByteBuf sealed;
    private long counter;

    RecordEncoder(Aead aead) {
        this.aead = aead;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf)) {
            // Anything but bytes would bypass the seal: refuse it rather than send it in clear.
            ReferenceCountUtil.release(msg);
            promise.setFailure(new UnsupportedMessageTypeException(msg, ByteBuf.class));
            return;
        }
        try {
            if (pending == null) {
                pending = ctx.alloc().heapBuffer(RecordFormat.MAX_PAYLOAD);
            }
            if (pending.isReadable() && pending.readableBytes() + buf.readableBytes() > RecordFormat.MAX_PAYLOAD) {
                sealRecord(ctx);
            }
            // Copied by the source: a composite (a frame header and its payload) copies component by component,
            // where pending.writeBytes(composite) would first gather it into a temporary buffer.
            int n = buf.readableBytes();
            pending.ensureWritable(n);
            buf.getBytes(buf.readerIndex(), pending, pending.writerIndex(), n);
            pending.writerIndex(pending.writerIndex() + n);
        } finally {
            buf.release();
        }
        if (!promise.isVoid()) {
            promises.add(promise);
        }
        if (pending.readableBytes() >= RecordFormat.MAX_PAYLOAD) {
            sealRecord(ctx);
        }
        if (sealed != null && sealed.readableBytes() >= MAX_BATCH) {
            writeSealed(ctx);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        sealRecord(ctx);
        writeSealed(ctx);
        ctx.flush();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discard(new ClosedChannelException());
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        discard(new ClosedChannelException());
        ctx.close(promise);
    }

    /** Seals the gathered plaintext as one record (several full ones if a single buffer was larger). */
    private void sealRecord(ChannelHandlerContext ctx) {
        if (pending == null || !pending.isReadable()) {
            return;
        }
        int tag = aead.tagLength();
        if (sealed == null) {
            sealed = ctx.alloc().heapBuffer(MAX_BATCH + RecordFormat.sealedSize(RecordFormat.MAX_PAYLOAD, tag));
        }
        while (pending.isReadable()) {
            int n = Math.min(pending.readableBytes(), RecordFormat.MAX_PAYLOAD);
            sealed.ensureWritable(RecordFormat.sealedSize(n, tag));
            lengthField.clear();
            lengthField.putShort((short) n).flip();
            seal(lengthField, RecordFormat.LENGTH_FIELD + tag);
            seal(pending.nioBuffer(pending.readerIndex(), n), n + tag);
            pending.skipBytes(n);
        }
        pending.clear();
    }

    private void seal(ByteBuffer in, int sealedLength) {
        if (counter >= RecordFormat.MAX_COUNTER) {
            throw new IllegalStateException("record nonce space exhausted; reconnect");
        }
        ByteBuffer dst = sealed.nioBuffer(sealed.writerIndex(), sealedLength);
        aead.seal(counter++, in, dst);
        sealed.writerIndex(sealed.writerIndex() + sealedLength);
    }

    /** Writes the sealed records; completes the promises of everything written so far once they are out. */
    private void writeSealed(ChannelHandlerContext ctx) {
        if (sealed != null && sealed.isReadable()) {
            ByteBuf out = sealed;
            sealed = null;
            ctx.write(out, completing(ctx));
        } else if (!promises.isEmpty()) { // empty writes: complete them in order, after what went before
            ctx.write(Unpooled.EMPTY_BUFFER, completing(ctx));
        }
    }

    /** A promise for one write of sealed bytes that completes every write promise gathered into it. */
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

    private void discard(Throwable cause) {
        if (pending != null) {
            ReferenceCountUtil.safeRelease(pending);
            pending = null;
        }
        if (sealed != null) {
            ReferenceCountUtil.safeRelease(sealed);
            sealed = null;
        }
        for (ChannelPromise p : promises) {
            p.tryFailure(cause);
        }
        promises.clear();
    }
}
