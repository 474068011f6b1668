package dev.ferry.backend;

import dev.ferry.crypto.SeenSalts;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transport;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.TunnelPipeline;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.control.ActiveCount;
import dev.ferry.tunnel.control.TunnelHealth;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.mux.SessionListener;
import dev.ferry.tunnel.secure.ServerHandshakeHandler;
import dev.ferry.tunnel.wire.ControlMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Accepts tunnels and connects their streams to destinations. Lifecycle: {@link #start()}, then {@link #drain} or
 * {@link #close()}; not restartable.
 */
public final class BackendServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackendServer.class);
    /** Hellos are refused beyond ±30 s, so a salt older than twice that can be forgotten safely. */
    private static final Duration SALT_MEMORY = Duration.ofSeconds(61);
    private static final int SALT_CAPACITY = 1 << 20;
    private static final Duration LOAD_REPORT_EVERY = Duration.ofSeconds(5);
    /** The shortest a drain lasts: opens sent just before the GO_AWAY arrived still get their answer. */
    static final Duration DRAIN_GRACE_MIN = Duration.ofMillis(500);

    private final BackendConfig config;
    private final IoRuntime io;
    private final Transports transports;
    private final SecureRandom random = new SecureRandom();
    private final AccessLog accessLog = new AccessLog();
    private final Set<MuxSession> sessions = ConcurrentHashMap.newKeySet();
    /** Each tunnel's keepalive measurements: a drain waits a couple of its round trips for opens in flight. */
    private final java.util.Map<MuxSession, TunnelHealth> healths = new ConcurrentHashMap<>();
    /** Every tunnel connection accepted and still open, handshaking ones included, so close() can end them all. */
    private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
    /** Destination connections, from the stream's open until their socket is done: what a drain waits for. */
    private final ActiveCount openStreams = new ActiveCount();
    private final StreamTally streamsOpened = new StreamTally();
    private EventLoopGroup group;
    private ExecutorService resolver;
    private Channel listener;

    public BackendServer(BackendConfig config, IoRuntime io, Transports transports) {
        this.config = config;
        this.io = io;
        this.transports = transports;
    }

    /** Binds and starts accepting tunnels; returns the bound address. */
    public InetSocketAddress start() throws Exception {
        Transport transport = transports.create(config.transport(), config.tunnel().transportOptions(random));
        TunnelSettings settings = config.tunnel();
        SeenSalts seenSalts = new SeenSalts(settings.clock(), SALT_MEMORY, SALT_CAPACITY);
        group = io.newGroup(0);
        resolver = Executors.newVirtualThreadPerTaskExecutor();
        DestinationConnector connector = new DestinationConnector(io, config.policy(), config.connectTimeout(),
                resolver, accessLog, openStreams, streamsOpened);
        SessionListener tracker = new Tracker();
        UdpRelay udp = new UdpRelay(io, config.policy(), settings.udpIdle(), resolver);
        var init = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                accepted.add(ch);
                ch.closeFuture().addListener(f -> accepted.remove(ch));
                ch.pipeline().addLast("handshake", new ServerHandshakeHandler(settings, seenSalts, random,
                        (channel, result) -> {
                            MuxSession mux = MuxSession.server(result.localStreamWindow(), result.peerStreamWindow(),
                                    connector, tracker);
                            mux.acceptFlows(udp, MuxSession.DEFAULT_MAX_FLOWS);
                            TunnelHealth health = new TunnelHealth();
                            TunnelPipeline.install(channel, settings, health, mux);
                            sessions.add(mux);
                            healths.put(mux, health);
                            if (openStreams.draining()) {
                                mux.goAway();
                            }
                            reportLoad(mux);
                            var report = channel.eventLoop().scheduleAtFixedRate(() -> reportLoad(mux),
                                    LOAD_REPORT_EVERY.toMillis(), LOAD_REPORT_EVERY.toMillis(),
                                    TimeUnit.MILLISECONDS);
                            channel.closeFuture().addListener(f -> report.cancel(false));
                            LOG.info("tunnel from {} up (cipher {})", channel.remoteAddress(),
                                    result.cipher().cliName());
                        }));
            }
        };
        try {
            listener = transport.listen(group, config.listen(), init).syncUninterruptibly().getNow();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        LOG.info("backend listening on {} ({})", bound, transport.name());
        return bound;
    }

    /** Bytes held in memory by all streams of all tunnels (queued to send, received but not yet written out). */
    public long bufferedBytes() throws Exception {
        long total = 0;
        for (MuxSession s : sessions) {
            total += s.eventLoop().submit(s::bufferedBytes).get(5, TimeUnit.SECONDS);
        }
        return total;
    }

    /** Tunnels connected right now. */
    public int tunnels() {
        return sessions.size();
    }

    private void reportLoad(MuxSession mux) {
        mux.sendControl(new ControlMessage.LoadReport(openStreams.get(), config.weight(), openStreams.draining()));
    }

    /** Streams opened since start, across all tunnels. */
    public long streamsOpened() {
        return streamsOpened.get();
    }

    /** Completes once {@code n} streams in all have been opened (for status and tests). */
    public java.util.concurrent.CompletableFuture<Void> whenStreamsOpened(long n) {
        return streamsOpened.whenReached(n);
    }

    /** Streams open across all tunnels right now. */
    public int openStreams() {
        return openStreams.get();
    }

    /**
     * Stops accepting, tells frontends to go elsewhere, waits up to {@code timeout} for streams, then closes. Even
     * with no stream open it waits a couple of round trips (at least {@link #DRAIN_GRACE_MIN}, within the timeout):
     * an open already on its way arrives after the GO_AWAY left, is refused as past it, and the frontend, told so,
     * opens it elsewhere; closing at once would cut it off unanswered.
     */
    public void drain(Duration timeout) {
        long start = System.nanoTime();
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        long maxRtt = 0;
        for (MuxSession s : sessions) {
            s.eventLoop().execute(s::goAway);
            TunnelHealth h = healths.get(s);
            maxRtt = Math.max(maxRtt, h == null ? 0 : h.smoothedRttNanos());
        }
        long graceNanos = Math.min(timeout.toNanos(), Math.max(DRAIN_GRACE_MIN.toNanos(), 2 * maxRtt));
        LOG.info("draining: {} streams open, waiting up to {} s", openStreams.get(), timeout.toSeconds());
        try {
            if (!openStreams.awaitZero(timeout)) {
                LOG.warn("drain timeout: closing {} streams still open", openStreams.get());
            }
            long left = graceNanos - (System.nanoTime() - start);
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left); // the grace for opens in flight, not a wait for a condition
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        for (MuxSession s : sessions) {
            s.close();
        }
        for (Channel ch : accepted) {
            ch.close(); // tunnels still in their handshake: no MuxSession yet
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (resolver != null) {
            resolver.shutdownNow();
        }
    }

    private final class Tracker implements SessionListener {
        @Override
        public void onClosed(MuxSession session) {
            sessions.remove(session);
            healths.remove(session);
            LOG.info("tunnel from {} closed", session.channel().remoteAddress());
        }
    }
}
