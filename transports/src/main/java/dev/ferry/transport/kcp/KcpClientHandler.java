package dev.ferry.transport.kcp;

import dev.ferry.transport.udp.Drop;
import dev.ferry.transport.udp.DropCounters;
import dev.ferry.transport.udp.PacketCrypto;
import dev.ferry.transport.udp.PacketFormat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frontend's UDP socket handler: one socket, one session. Datagrams for another session id, unauthentic or
 * replayed ones are dropped and counted.
 *
 * <p>Threading: the socket's event loop.
 */
final class KcpClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(KcpClientHandler.class);

    private final KcpSession session;
    private final int maxDatagram;
    private final DropCounters drops;
    private boolean touched;

    KcpClientHandler(KcpSession session, int maxDatagram, DropCounters drops) {
        this.session = session;
        this.maxDatagram = maxDatagram;
        this.drops = drops;
    }

    /** What this socket dropped, for tests and status. */
    DropCounters drops() {
        return drops;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket dp = (DatagramPacket) msg;
        try {
            ByteBuf packet = dp.content();
            int size = packet.readableBytes();
            Drop drop;
            if (size < PacketFormat.HEADER_LENGTH + PacketFormat.KIND_LENGTH || size > maxDatagram) {
                drop = Drop.TRUNCATED_OR_OVERSIZED;
            } else if (PacketCrypto.sessionIdOf(packet) != session.sessionId()) {
                drop = Drop.UNKNOWN_SESSION;
            } else {
                drop = session.received(packet, dp.sender());
            }
            if (drop != null) {
                drops.count(drop);
            } else {
                touched = true;
            }
        } finally {
            dp.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (touched) {
            touched = false;
            session.afterReads();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.finish(false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // e.g. ICMP port unreachable while the backend restarts: the session's dead-link detection decides
        LOG.debug("kcp socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
