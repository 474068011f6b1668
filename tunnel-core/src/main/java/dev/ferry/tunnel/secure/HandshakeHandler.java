package dev.ferry.tunnel.secure;

import dev.ferry.tunnel.TunnelSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;

/**
 * The shared life of both handshake sides: a deadline, then either {@link #complete} (records and the layers above
 * replace this handler, and bytes already received flow on into the record decoder) or the end of the channel.
 */
abstract class HandshakeHandler extends ByteToMessageDecoder {
    protected final TunnelSettings settings;
    private final TunnelInitializer next;
    private ScheduledFuture<?> deadline;
    private boolean done;

    HandshakeHandler(TunnelSettings settings, TunnelInitializer next) {
        this.settings = settings;
        this.next = next;
    }

    protected abstract Logger log();

    /** Called when the deadline passes before the handshake completed. */
    protected abstract void onDeadline(ChannelHandlerContext ctx);

    @Override
    public final void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            if (!done) {
                onDeadline(ctx);
                ctx.close();
            }
        }, settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected final void handlerRemoved0(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        releaseState();
    }

    /** Releases buffers held for the handshake; called once when this handler leaves the pipeline. */
    protected void releaseState() {
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log().debug("handshake with {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    protected final void complete(ChannelHandlerContext ctx, SessionKeys keys, HandshakeResult result) {
        done = true;
        var p = ctx.pipeline();
        p.addAfter(ctx.name(), "record-decoder", new RecordDecoder(keys.receive()));
        p.addAfter("record-decoder", "record-encoder", new RecordEncoder(keys.send()));
        next.established(ctx.channel(), result);
        p.remove(this);
    }

    protected static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }

}
