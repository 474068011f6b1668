package dev.ferry.frontend;

import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.mux.DatagramFlow;
import dev.ferry.tunnel.mux.DatagramReceiver;
import dev.ferry.tunnel.mux.MuxSession;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One {@code -U [BIND:]PORT=HOST:PORT}: each client address that sends to the bound UDP port gets a flow through the
 * tunnel to the target, and the target's replies come back to that client from the bound port. A flow is forgotten
 * after the idle time without a datagram either way, or when its tunnel closes (the next datagram opens a new one on
 * the tunnel then up). Datagrams that cannot go (no tunnel, too many flows, tunnel not writable) are dropped and
 * counted, as the network would drop them.
 *
 * <p>Threading: the socket must share the event loop of the tunnel's sessions (the frontend runs one loop).
 */
final class UdpForward extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(UdpForward.class);
    /** Client addresses one forward serves at once. */
    static final int MAX_CLIENTS = 4096;

    private final Destination target;
    private final TunnelClient tunnel;
    private final long idleNanos;
    private final LongSupplier nanoTime;
    private final Map<InetSocketAddress, ClientFlow> clients = new HashMap<>();
    private Channel socket;
    private ScheduledFuture<?> sweeper;
    private long dropped;
    private boolean noTunnelLogged;

    UdpForward(Destination target, TunnelClient tunnel, Duration idle, LongSupplier nanoTime) {
        this.target = target;
        this.tunnel = tunnel;
        this.idleNanos = idle.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Clients with a flow right now. */
    int clients() {
        return clients.size();
    }

    /** Datagrams from clients dropped since start. */
    long dropped() {
        return dropped;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        socket = ctx.channel();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), idleNanos / 4);
        sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        for (ClientFlow c : clients.values().toArray(new ClientFlow[0])) {
            c.flow.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        ClientFlow c = clients.get(client);
        if (c == null) {
            c = open(client);
            if (c == null) {
                dropped++;
                return;
            }
        }
        c.lastActive = nanoTime.getAsLong();
        if (!c.flow.send(target, packet.content().retain())) {
            dropped++;
        }
    }

    private ClientFlow open(InetSocketAddress client) {
        MuxSession session = tunnel.currentSession();
        if (session == null || !session.channel().isActive()) {
            if (!noTunnelLogged) {
                noTunnelLogged = true;
                LOG.info("UDP {} -> {}: no tunnel up, dropping datagrams until there is (logged once)",
                        socket.localAddress(), target);
            }
            return null;
        }
        if (!session.eventLoop().inEventLoop()) {
            throw new IllegalStateException("a UDP forward must share the tunnel's event loop");
        }
        if (clients.size() >= MAX_CLIENTS) {
            return null;
        }
        noTunnelLogged = false;
        ClientFlow c = new ClientFlow(client);
        DatagramFlow flow = session.openFlow(c);
        if (flow == null) {
            return null;
        }
        c.flow = flow;
        clients.put(client, c);
        LOG.debug("UDP {} -> {}: flow {} for {}", socket.localAddress(), target, flow.id(), client);
        return c;
    }

    private void sweep() {
        long now = nanoTime.getAsLong();
        for (Iterator<ClientFlow> it = clients.values().iterator(); it.hasNext(); ) {
            ClientFlow c = it.next();
            if (now - c.lastActive >= idleNanos) {
                it.remove();
                c.flow.close();
            }
        }
    }

    /** One client's flow; replies go back to it from the bound socket. */
    private final class ClientFlow implements DatagramReceiver {
        private final InetSocketAddress client;
        private DatagramFlow flow;
        private long lastActive;

        ClientFlow(InetSocketAddress client) {
            this.client = client;
            this.lastActive = nanoTime.getAsLong();
        }

        @Override
        public void onDatagram(DatagramFlow f, Destination from, ByteBuf payload) {
            lastActive = nanoTime.getAsLong();
            if (socket.isActive()) {
                socket.writeAndFlush(new DatagramPacket(payload, client), socket.voidPromise());
            } else {
                payload.release();
            }
        }

        @Override
        public void onFlowClosed(DatagramFlow f) {
            clients.remove(client, this);
        }
    }
}
