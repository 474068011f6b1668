package dev.ferry.frontend;

import dev.ferry.backend.DestinationPolicy;
import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.control.SessionSource;
import dev.ferry.tunnel.wire.Destination;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One {@code -U [BIND:]PORT=HOST:PORT}: each client address that sends to the bound UDP port gets a flow through the
 * tunnel to the target ({@link ClientFlows}), and the target's replies come back to that client from the bound port.
 * Datagrams from client addresses the access lists refuse are dropped, logged once per address.
 *
 * <p>Threading: the socket must share the event loop of the tunnel's sessions (the frontend runs one loop).
 */
final class UdpForward extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(UdpForward.class);

    private final Destination target;
    private final SessionSource tunnel;
    private final DestinationPolicy senders;
    private final Duration idle;
    private final LongSupplier nanoTime;
    private final OncePerAddress refusedLogged = new OncePerAddress();
    private ClientFlows flows;
    private Channel socket;
    private ScheduledFuture<?> sweeper;

    /** @param senders the client addresses taken ({@code --allow-client}/{@code --deny-client}) */
    UdpForward(Destination target, SessionSource tunnel, DestinationPolicy senders, Duration idle,
               LongSupplier nanoTime) {
        this.target = target;
        this.tunnel = tunnel;
        this.senders = senders;
        this.idle = idle;
        this.nanoTime = nanoTime;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        socket = ctx.channel();
        flows = new ClientFlows(tunnel, "UDP " + AccessLog.format(socket.localAddress()) + " -> " + target, idle,
                nanoTime, this::reply);
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), flows.idleNanos() / 4);
        sweeper = ctx.executor().scheduleAtFixedRate(flows::sweep, period, period, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        if (flows != null) {
            flows.closeAll();
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        if (!senders.permits(client)) {
            flows.countDropped();
            if (refusedLogged.first(client.getAddress())) {
                LOG.info("refused UDP datagram from {} to {}: client address not allowed (--allow-client/"
                        + "--deny-client; dropped, logged once per client)", AccessLog.format(client),
                        AccessLog.format(socket.localAddress()));
            }
            return;
        }
        flows.send(client, target, packet.content().retain());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A send refused (a firewall's EPERM, an ICMP error): UDP carries on, as the network would.
        LOG.debug("UDP {}: {}", AccessLog.format(socket.localAddress()), cause.toString());
    }

    private void reply(InetSocketAddress client, Destination from, ByteBuf payload) {
        if (socket.isActive()) {
            socket.writeAndFlush(new DatagramPacket(payload, client), socket.voidPromise());
        } else {
            payload.release();
        }
    }
}
