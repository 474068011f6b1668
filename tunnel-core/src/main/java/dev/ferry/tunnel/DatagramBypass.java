package dev.ferry.tunnel;

import dev.ferry.transport.DatagramCarrier;
import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.FrameDecoder;
import dev.ferry.tunnel.wire.FrameEncoder;
import dev.ferry.tunnel.wire.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends DATAGRAM frames as datagrams of the transport's own ({@link DatagramCarrier}) instead of inside the reliable
 * stream, so a lost one is gone rather than retransmitted and held up behind stream bytes, and takes the peer's back
 * into the pipeline. A datagram is one encoded frame, sealed by the carrier. Installed only on channels that are
 * carriers. A received datagram that is not one well-formed DATAGRAM frame is dropped and counted: it cannot
 * desynchronise anything, so it does not end the tunnel.
 */
final class DatagramBypass extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramBypass.class);

    private final DatagramCarrier carrier;
    private ChannelHandlerContext ctx;
    private long malformed;

    DatagramBypass(DatagramCarrier carrier) {
        this.carrier = carrier;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        carrier.receiveDatagrams(this::received);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        carrier.receiveDatagrams(null);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Frame.Datagram datagram)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf encoded = FrameEncoder.encode(datagram, ctx.alloc());
        if (encoded.readableBytes() > carrier.maxDatagramLength()) {
            // Too large for one packet: the stream carries it (reliably, but it arrives).
            ctx.write(encoded, promise);
            return;
        }
        carrier.sendDatagram(encoded);
        promise.trySuccess();
    }

    private void received(ByteBuf body) {
        Frame frame;
        try {
            frame = FrameDecoder.decodeOne(body);
            if (frame != null && (!(frame instanceof Frame.Datagram) || body.isReadable())) {
                release(frame);
                frame = null;
            }
        } catch (ProtocolException e) {
            frame = null;
        } finally {
            body.release();
        }
        if (frame == null) {
            if (malformed++ == 0) {
                LOG.warn("tunnel {}: dropped a datagram that is not one DATAGRAM frame (logged once per tunnel)",
                        ctx.channel().remoteAddress());
            }
            return;
        }
        ctx.fireChannelRead(frame);
    }

    private static void release(Frame frame) {
        switch (frame) {
            case Frame.Datagram d -> d.payload().release();
            case Frame.Data d -> d.payload().release();
            case Frame.Open o -> o.firstBytes().release();
            default -> { }
        }
    }
}
