package dev.ferry.frontend;

import dev.ferry.frontend.socks.SocksService;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transport;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.control.ActiveCount;
import dev.ferry.tunnel.balance.BackendPool;
import dev.ferry.tunnel.control.Backoff;
import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.wire.Destination;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Accepts local connections and carries each as a stream through the tunnel. Lifecycle: {@link #start()}, then
 * {@link #drain} or {@link #close()}; not restartable.
 */
public final class FrontendServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendServer.class);
    private static final Duration BACKOFF_INITIAL = Duration.ofMillis(200);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(10);

    private final FrontendConfig config;
    private final IoRuntime io;
    private final Transports transports;
    private final SecureRandom random = new SecureRandom();
    private final AccessLog accessLog = new AccessLog();
    private final List<Channel> listeners = new ArrayList<>();
    private final ActiveCount connections = new ActiveCount();
    private final ClientGate gate;
    private EventLoopGroup group;
    private BackendPool pool;
    private LoopGuard loops;

    public FrontendServer(FrontendConfig config, IoRuntime io, Transports transports) {
        this.config = config;
        this.io = io;
        this.transports = transports;
        this.gate = new ClientGate(config.access(), connections);
    }

    /**
     * Binds every forward and starts the tunnel; returns the bound addresses in the order of the forwards, the TCP
     * ones ({@code -L}) first, then the UDP ones ({@code -U}), then the entrances.
     */
    public List<InetSocketAddress> start() throws Exception {
        Transport transport = transports.create(config.transport(), config.tunnel().transportOptions(random));
        // One loop for every tunnel and every client socket: a tunnel's records are sealed and opened on one thread
        // anyway, sockets on the same loop hand bytes to their streams without a thread hop per read and per
        // write, and the pool, UDP entrances and bridges rely on sharing it. Several backends could each use a loop
        // of their own on a machine with cores to spare; that is not done yet.
        group = io.newGroup(1);
        List<BackendPool.Member> members = new ArrayList<>();
        for (BackendSpec b : config.servers()) {
            List<TunnelClient> tunnels = new ArrayList<>();
            for (int i = 0; i < config.conn(); i++) {
                tunnels.add(new TunnelClient(transport, group, b.address(), config.tunnel(), random,
                        new Backoff(BACKOFF_INITIAL, BACKOFF_MAX, new java.util.SplittableRandom(random.nextLong()))));
            }
            members.add(new BackendPool.Member(b.address(), b.weight(), tunnels));
        }
        pool = new BackendPool(members, config.balance().create(), suspectAfter(config.tunnel()));
        pool.start();
        loops = new LoopGuard(pool);
        List<InetSocketAddress> bound = new ArrayList<>();
        try {
            for (PortForward f : config.forwards()) {
                Channel ch = listen(f.bind(), c -> forwarded(c, f));
                listeners.add(ch);
                bound.add((InetSocketAddress) ch.localAddress());
                LOG.info("forwarding {} -> {} through {}://{}", ch.localAddress(), f.target(), transport.name(),
                        servers());
            }
            for (PortForward f : config.udpForwards()) {
                Channel ch = listenUdp(f);
                listeners.add(ch);
                bound.add((InetSocketAddress) ch.localAddress());
                LOG.info("forwarding UDP {} -> {} through {}://{}", ch.localAddress(), f.target(), transport.name(),
                        servers());
            }
            for (Entrance e : config.entrances()) {
                Channel ch = switch (e) {
                    case Entrance.Redirect r -> listen(r.bind(), this::redirected);
                    case Entrance.Socks k -> listen(k.bind(), socks(k)::accept);
                    case Entrance.Tproxy t -> listen(t.bind(), this::tproxied, true);
                };
                listeners.add(ch);
                if (e instanceof Entrance.Tproxy) {
                    InetSocketAddress tcp = (InetSocketAddress) ch.localAddress();
                    if (e.bind().getAddress() instanceof java.net.Inet4Address) {
                        listeners.add(listenTproxyUdp(new InetSocketAddress(e.bind().getAddress(), tcp.getPort())));
                    } else {
                        LOG.warn("--tproxy {}: TCP only; UDP TPROXY needs an IPv4 address (Netty's epoll passes up "
                                + "no IPv6 original destination)", AccessLog.format(e.bind()));
                    }
                }
                bound.add((InetSocketAddress) ch.localAddress());
                LOG.info("{} {}: connections go through {}://{} to where they were going", describe(e),
                        ch.localAddress(), transport.name(), servers());
            }
            for (Channel ch : listeners) {
                loops.listening((InetSocketAddress) ch.localAddress());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return bound;
    }

    private Channel listen(InetSocketAddress bind, java.util.function.Consumer<Channel> admitted) {
        return listen(bind, admitted, false);
    }

    /** @param transparent with IP_TRANSPARENT: accepts connections TPROXY hands over, to any address */
    private Channel listen(InetSocketAddress bind, java.util.function.Consumer<Channel> admitted,
                           boolean transparent) {
        ServerBootstrap b = new ServerBootstrap();
        if (transparent) {
            b.option(EpollChannelOption.IP_TRANSPARENT, true);
        }
        return b
                .group(group)
                .channel(io.serverSocketChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        InetSocketAddress client = (InetSocketAddress) ch.remoteAddress();
                        String refused = gate.admit(client);
                        if (refused != null) {
                            refuse(ch, refused);
                            return;
                        }
                        ch.closeFuture().addListener(x -> gate.release(client));
                        admitted.accept(ch);
                    }
                })
                .bind(bind).syncUninterruptibly().channel();
    }

    private void forwarded(Channel ch, PortForward f) {
        ch.pipeline().addLast(new ClientBridge(f.target(), pool, config.openWait(), accessLog));
    }

    private void redirected(Channel ch) {
        InetSocketAddress original;
        try {
            original = OriginalDestination.of(ch);
        } catch (IllegalStateException e) {
            refuse(ch, "not redirected: " + e.getMessage());
            return;
        }
        String loop = loops.refusal(original, (InetSocketAddress) ch.localAddress());
        if (loop != null) {
            refuse(ch, loop);
            return;
        }
        ch.pipeline().addLast(new ClientBridge(Destination.of(original), pool, config.openWait(), accessLog));
    }

    private void tproxied(Channel ch) {
        // TPROXY leaves the connection addressed to where it was going: its local address is the destination.
        InetSocketAddress original = (InetSocketAddress) ch.localAddress();
        InetSocketAddress listener = (InetSocketAddress) ch.parent().localAddress();
        if (original.getPort() == listener.getPort()
                && (original.equals(listener) || LoopGuard.isLocal(original.getAddress()))) {
            refuse(ch, "not intercepted (its destination is the TPROXY listener itself; connect through a TPROXY "
                    + "rule)");
            return;
        }
        String loop = loops.refusal(original, listener);
        if (loop != null) {
            refuse(ch, loop);
            return;
        }
        ch.pipeline().addLast(new ClientBridge(Destination.of(original), pool, config.openWait(), accessLog));
    }

    /** The UDP socket of a {@code --tproxy} entrance, on the port its TCP listener got. */
    private Channel listenTproxyUdp(InetSocketAddress bind) {
        TproxyUdp handler = new TproxyUdp(bind, pool, config.access().addresses(), this::bindTransparentUdp,
                config.tunnel().udpIdle(), System::nanoTime);
        Channel ch = bindTransparentUdp(bind, handler).syncUninterruptibly().channel();
        handler.listening(ch);
        return ch;
    }

    private ChannelFuture bindTransparentUdp(InetSocketAddress local, io.netty.channel.ChannelHandler handler) {
        SocketProtocolFamily family = local.getAddress() instanceof java.net.Inet4Address
                ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return new io.netty.bootstrap.Bootstrap()
                .group(group)
                .channelFactory(() -> new EpollDatagramChannel(family))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(EpollChannelOption.IP_TRANSPARENT, true)
                .option(EpollChannelOption.IP_RECVORIGDSTADDR, true)
                .handler(handler)
                .bind(local);
    }

    /** The backends, for log lines: {@code host:port} or {@code host:port, host:port, ...}. */
    private String servers() {
        return config.servers().stream().map(b -> String.valueOf(b.address()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static void refuse(Channel ch, String reason) {
        LOG.info("refused connection from {} to {}: {}", AccessLog.format(ch.remoteAddress()), ch.localAddress(),
                reason);
        ch.close();
    }

    private Channel listenUdp(PortForward f) {
        return new io.netty.bootstrap.Bootstrap()
                .group(group)
                .channel(io.datagramChannel())
                .handler(new UdpForward(f.target(), pool, config.access().addresses(), config.tunnel().udpIdle(),
                        System::nanoTime))
                .bind(f.bind()).syncUninterruptibly().channel();
    }

    private static String describe(Entrance e) {
        return switch (e) {
            case Entrance.Redirect r -> "redirected connections to";
            case Entrance.Socks k -> "SOCKS5" + (k.users().required() ? " (login required)" : "") + " on";
            case Entrance.Tproxy t -> "TCP and UDP from TPROXY rules to";
        };
    }

    private SocksService socks(Entrance.Socks k) {
        return new SocksService(pool, config.openWait(), accessLog, k.users(), k.handshakeTimeout(), k.fastOpen(),
                (local, handler) -> new io.netty.bootstrap.Bootstrap()
                        .group(group)
                        .channel(io.datagramChannel())
                        .handler(handler)
                        .bind(local));
    }

    /**
     * How long a tunnel may go without a keepalive answer before new streams avoid it while another backend is fine:
     * two keepalive intervals (one answer overdue), and no less than half the dead-tunnel time.
     */
    static Duration suspectAfter(dev.ferry.tunnel.TunnelSettings t) {
        Duration twoPings = t.keepaliveInterval().multipliedBy(2);
        Duration half = t.deadAfter().dividedBy(2);
        return twoPings.compareTo(half) > 0 ? twoPings : half;
    }

    /** Bytes held in memory by the tunnels' streams (queued to send, received but not yet written out). */
    public long bufferedBytes() throws Exception {
        long total = 0;
        for (TunnelClient t : pool.tunnels()) {
            var s = t.currentSession();
            total += s == null ? 0 : s.eventLoop().submit(s::bufferedBytes).get(5, TimeUnit.SECONDS);
        }
        return total;
    }

    /** The first backend's (first) tunnel: the only one unless several backends or tunnels are pooled. */
    public TunnelClient tunnel() {
        return pool.tunnels().get(0);
    }

    /** Every backend this frontend balances over, with their tunnels. */
    public BackendPool pool() {
        return pool;
    }

    /** Client connections open right now. */
    public int connections() {
        return connections.get();
    }

    /** Stops accepting, waits up to {@code timeout} for open connections, then closes. */
    public void drain(Duration timeout) {
        for (Channel l : listeners) {
            l.close().syncUninterruptibly();
        }
        LOG.info("draining: {} connections open, waiting up to {} s", connections.get(), timeout.toSeconds());
        try {
            if (!connections.awaitZero(timeout)) {
                LOG.warn("drain timeout: closing {} connections still open", connections.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public void close() {
        for (Channel l : listeners) {
            l.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
