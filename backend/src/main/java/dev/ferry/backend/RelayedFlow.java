package dev.ferry.backend;

import dev.ferry.transport.IoRuntime;
import dev.ferry.tunnel.mux.DatagramFlow;
import dev.ferry.tunnel.mux.DatagramReceiver;
import dev.ferry.tunnel.wire.Destination;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One UDP flow at the backend: an unconnected UDP socket on a wildcard address and an ephemeral port, so one flow
 * may talk to several destinations (as a SOCKS5 UDP association does) and every reply goes back tagged with who sent
 * it. Names are resolved off the event loop and remembered for the flow; the policy is checked on the resolved
 * address of every datagram. A datagram that cannot be sent (denied, unresolvable, too many waiting) is dropped, as
 * the network would. The flow ends after {@code idle} without a datagram either way, or with its tunnel.
 *
 * <p>Threading: everything runs on the tunnel's event loop, which the socket shares.
 */
final class RelayedFlow extends SimpleChannelInboundHandler<DatagramPacket> implements DatagramReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(RelayedFlow.class);
    /** Datagrams waiting for the socket to bind or a name to resolve; more are dropped. */
    static final int MAX_WAITING = 64;
    /** Names a flow remembers. */
    private static final int MAX_NAMES = 16;

    private final DatagramFlow flow;
    private final DestinationPolicy policy;
    private final Executor resolver;
    private final Map<String, InetAddress> names = new LinkedHashMap<>(MAX_NAMES, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, InetAddress> eldest) {
            return size() > MAX_NAMES;
        }
    };
    private Channel socket;
    private boolean bound;
    private int waiting;
    private boolean deniedLogged;

    private RelayedFlow(DatagramFlow flow, DestinationPolicy policy, Executor resolver) {
        this.flow = flow;
        this.policy = policy;
        this.resolver = resolver;
    }

    static RelayedFlow open(DatagramFlow flow, IoRuntime io, DestinationPolicy policy, Duration idle,
                            Executor resolver) {
        RelayedFlow relayed = new RelayedFlow(flow, policy, resolver);
        ChannelFuture bind = new Bootstrap()
                .group(flow.session().eventLoop())
                .channel(io.datagramChannel())
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(relayed);
                    }
                })
                .bind(new InetSocketAddress(0));
        relayed.socket = bind.channel();
        bind.addListener((ChannelFuture done) -> relayed.bound(done));
        return relayed;
    }

    private void bound(ChannelFuture done) {
        if (!done.isSuccess()) {
            LOG.warn("UDP flow {} of tunnel {}: cannot open a socket: {}", flow.id(), flow.session().channel()
                    .remoteAddress(), done.cause().toString());
            flow.close();
            return;
        }
        bound = true;
        socket.flush();
        LOG.debug("UDP flow {} of tunnel {}: socket {}", flow.id(), flow.session().channel().remoteAddress(),
                socket.localAddress());
    }

    @Override
    public void onDatagram(DatagramFlow flow, Destination address, ByteBuf payload) {
        if (address.kind() != Destination.Kind.DOMAIN) {
            send(address.toSocketAddress(), address, payload);
            return;
        }
        InetAddress known = names.get(address.host());
        if (known != null) {
            send(new InetSocketAddress(known, address.port()), address, payload);
            return;
        }
        if (waiting >= MAX_WAITING) {
            payload.release();
            return;
        }
        waiting++;
        resolver.execute(() -> {
            InetAddress resolved;
            try {
                resolved = InetAddress.getByName(address.host());
            } catch (UnknownHostException e) {
                resolved = null;
            }
            InetAddress result = resolved;
            socket.eventLoop().execute(() -> {
                waiting--;
                if (result == null || flow.isClosed()) {
                    payload.release();
                    return;
                }
                names.put(address.host(), result);
                send(new InetSocketAddress(result, address.port()), address, payload);
            });
        });
    }

    private void send(InetSocketAddress to, Destination asked, ByteBuf payload) {
        if (flow.isClosed() || !socket.isOpen()) {
            payload.release();
            return;
        }
        if (!policy.permits(to)) {
            payload.release();
            if (!deniedLogged) {
                deniedLogged = true;
                LOG.info("UDP flow {} of tunnel {}: datagrams to {} ({}) denied by policy (logged once per flow)",
                        flow.id(), flow.session().channel().remoteAddress(), asked, to.getAddress().getHostAddress());
            }
            return;
        }
        if (bound) {
            socket.writeAndFlush(new DatagramPacket(payload, to), socket.voidPromise());
        } else if (waiting < MAX_WAITING) {
            waiting++;
            socket.write(new DatagramPacket(payload, to)).addListener(f -> waiting--);
        } else {
            payload.release();
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        flow.send(Destination.of(packet.sender()), packet.content().retain());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("UDP flow {} of tunnel {}: idle, closed", flow.id(), flow.session().channel().remoteAddress());
            flow.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors surface here (port unreachable): UDP carries on, as the peer's sender would.
        LOG.debug("UDP flow {}: {}", flow.id(), cause.toString());
    }

    @Override
    public void onFlowClosed(DatagramFlow flow) {
        socket.close();
    }

    /** The flow's socket, for tests. */
    Channel socket() {
        return socket;
    }
}
