package dev.ferry.frontend;

import dev.ferry.backend.DestinationPolicy;
import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.control.SessionSource;
import dev.ferry.tunnel.wire.Destination;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
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
 * The UDP side of {@code --tproxy}: datagrams that a TPROXY rule delivered to the listening socket, each still
 * addressed to its original destination (IP_RECVORIGDSTADDR says which). Each client address gets one flow through
 * the tunnel, whatever destinations it sends to, as {@code -U} and SOCKS5 do. A reply must reach the client from
 * the address it sent to, or the client's socket (connected, or a NAT on the way) drops it: it goes out of a
 * transparent socket bound to that address. Such a socket is opened when a client first sends to a destination (at
 * most {@link #MAX_REPLY_SOCKETS}, none for this host's own addresses) and closed after the idle time; replies from
 * anywhere else are dropped, so whoever reaches the backend's flow socket cannot make the frontend bind addresses
 * of its choosing. TPROXY delivers later datagrams to a bound destination to its socket, so it takes client
 * datagrams too.
 *
 * <p>IPv4 only: Netty's epoll passes up the IPv4 original destination ({@code IP_ORIGDSTADDR}) but not the IPv6 one
 * (an IPv6 datagram would look addressed to the listener itself). TCP TPROXY works for both.
 *
 * <p>Threading: every socket shares the tunnel's event loop (the frontend runs one loop).
 */
@ChannelHandler.Sharable
final class TproxyUdp extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(TproxyUdp.class);
    /** Destinations with a reply socket at once: each is a file descriptor. */
    static final int MAX_REPLY_SOCKETS = 1024;

    /** Opens a transparent UDP socket bound to an address not (necessarily) this host's, with a handler. */
    interface TransparentSockets {
        ChannelFuture bind(InetSocketAddress local, ChannelHandler handler);
    }

    private final DestinationPolicy clients;
    private final TransparentSockets sockets;
    private final LongSupplier nanoTime;
    private final Map<InetSocketAddress, ReplySocket> replySockets = new HashMap<>();
    private final OncePerAddress refusedLogged = new OncePerAddress();
    private final ClientFlows flows;
    private final InetSocketAddress listening;
    private ScheduledFuture<?> sweeper;

    /** @param listening the address the TPROXY socket is bound to (the rules' {@code --on-port}) */
    TproxyUdp(InetSocketAddress listening, SessionSource tunnel, DestinationPolicy clients,
              TransparentSockets sockets, Duration idle, LongSupplier nanoTime) {
        this.listening = listening;
        this.clients = clients;
        this.sockets = sockets;
        this.nanoTime = nanoTime;
        this.flows = new ClientFlows(tunnel, "UDP TPROXY " + AccessLog.format(listening), idle, nanoTime,
                this::reply);
    }

    /** Starts the idle sweep; {@code listener} is the bound TPROXY socket. */
    void listening(Channel listener) {
        EventLoop loop = listener.eventLoop();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), flows.idleNanos() / 4);
        sweeper = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        listener.closeFuture().addListener(f -> stop());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        if (!clients.permits(client)) {
            refuse(client, "client address not allowed (--allow-client/--deny-client)");
            return;
        }
        // The original destination, from IP_RECVORIGDSTADDR (IPv4 only: FrontendServer opens no IPv6 socket).
        InetSocketAddress original = packet.recipient();
        if (original.getPort() == listening.getPort()
                && (original.equals(listening) || LoopGuard.isLocal(original.getAddress()))) {
            refuse(client, "not intercepted (sent to the TPROXY port itself, " + AccessLog.format(original) + ")");
            return;
        }
        if (!replySocket(original, client)) {
            return;
        }
        flows.send(client, Destination.of(original), packet.content().retain());
    }

    /** Makes sure replies from {@code destination} can go back; false (refused and logged) if they cannot. */
    private boolean replySocket(InetSocketAddress destination, InetSocketAddress client) {
        ReplySocket r = replySockets.get(destination);
        if (r == null) {
            if (replySockets.size() >= MAX_REPLY_SOCKETS) {
                refuse(client, MAX_REPLY_SOCKETS + " destinations have reply sockets open, the most allowed");
                return false;
            }
            if (LoopGuard.isLocal(destination.getAddress())) {
                // A transparent socket bound there could take datagrams meant for a service of this host.
                refuse(client, "its destination " + AccessLog.format(destination) + " is this host (exclude local "
                        + "addresses from the TPROXY rule)");
                return false;
            }
            r = new ReplySocket(sockets.bind(destination, this));
            replySockets.put(destination, r);
            r.bound.addListener(f -> {
                if (!f.isSuccess()) {
                    LOG.info("UDP TPROXY: cannot send replies from {}: {} (replies from it are dropped)",
                            AccessLog.format(destination), f.cause().toString());
                }
            });
        }
        r.lastUsed = nanoTime.getAsLong();
        return true;
    }

    private void refuse(InetSocketAddress client, String why) {
        flows.countDropped();
        if (refusedLogged.first(client.getAddress())) {
            LOG.info("refused UDP datagram from {} to TPROXY {}: {} (dropped; logged once per client)",
                    AccessLog.format(client), AccessLog.format(listening), why);
        }
    }

    /** A reply goes out of a transparent socket bound to the address it came from. */
    private void reply(InetSocketAddress client, Destination sender, ByteBuf payload) {
        if (sender.kind() == Destination.Kind.DOMAIN) {
            payload.release(); // the backend names a reply's sender by address; a name cannot be bound to
            return;
        }
        ReplySocket r = replySockets.get(sender.toSocketAddress());
        if (r == null) {
            payload.release(); // from an address no client sent to (or one forgotten since)
            return;
        }
        r.lastUsed = nanoTime.getAsLong();
        ChannelFuture bound = r.bound;
        if (bound.isDone()) {
            send(bound, client, payload);
        } else {
            bound.addListener(f -> send(bound, client, payload));
        }
    }

    private static void send(ChannelFuture bound, InetSocketAddress client, ByteBuf payload) {
        Channel ch = bound.channel();
        if (bound.isSuccess() && ch.isActive()) {
            ch.writeAndFlush(new DatagramPacket(payload, client), ch.voidPromise());
        } else {
            payload.release();
        }
    }

    private void sweep() {
        flows.sweep();
        long now = nanoTime.getAsLong();
        for (Iterator<ReplySocket> it = replySockets.values().iterator(); it.hasNext(); ) {
            ReplySocket r = it.next();
            if (now - r.lastUsed >= flows.idleNanos()) {
                it.remove();
                r.bound.channel().close();
            }
        }
    }

    private void stop() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        flows.closeAll();
        for (ReplySocket r : replySockets.values()) {
            r.bound.channel().close();
        }
        replySockets.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A send refused (a firewall's EPERM, an ICMP error): UDP carries on, as the network would.
        LOG.debug("UDP TPROXY {}: {}", AccessLog.format(listening), cause.toString());
    }

    /** A transparent socket bound to an address replies come from. */
    private static final class ReplySocket {
        final ChannelFuture bound;
        long lastUsed;

        ReplySocket(ChannelFuture bound) {
            this.bound = bound;
        }
    }

}
