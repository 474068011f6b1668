package dev.ferry.tunnel.control;

import dev.ferry.transport.Transport;
import dev.ferry.tunnel.TunnelPipeline;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.mux.SessionListener;
import dev.ferry.tunnel.secure.ClientHandshakeHandler;
import dev.ferry.tunnel.wire.ControlMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one tunnel to one backend up: connects, re-connects with {@link Backoff} after any loss (dead keepalive,
 * closed connection, failed handshake, go-away), and hands the live session to whoever needs one. Connections that
 * ask during an outage wait up to their own bound, then get a failure. All state is confined to one event loop.
 */
public final class TunnelClient implements SessionSource {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelClient.class);
    /** How long failures are remembered for {@link #recentFailures}. */
    private static final long FAILURE_MEMORY_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final Transport transport;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final InetSocketAddress server;
    private final TunnelSettings settings;
    private final SecureRandom random;
    private final Backoff backoff;
    private final TunnelHealth health = new TunnelHealth();
    private final List<Promise<MuxSession>> waiters = new ArrayList<>();
    private final List<java.util.Map.Entry<Long, java.util.concurrent.CompletableFuture<Void>>> milestones =
            new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong established = new java.util.concurrent.atomic.AtomicLong();
    private volatile MuxSession current;
    private volatile ControlMessage.LoadReport load;
    /** The session {@link #load} came on: a report can arrive before its session is handed out. */
    private volatile MuxSession loadFrom;
    private volatile int localAtReport;
    private io.netty.util.concurrent.ScheduledFuture<?> pendingRetry;
    private final java.util.ArrayDeque<Long> failures = new java.util.ArrayDeque<>();
    private final List<Runnable> upListeners = new ArrayList<>();
    private final List<java.util.concurrent.CompletableFuture<Void>> downWaiters = new ArrayList<>();
    /** This client's sessions still open (the live one and retired ones finishing their streams). */
    private final List<MuxSession> open = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong closedSent = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong closedReceived =
            new java.util.concurrent.atomic.AtomicLong();
    private boolean connecting;
    /** The channel of the connection attempt under way (connected, handshake not done yet), if any. */
    private Channel attempt;
    private boolean closed;
    private boolean outageLogged;

    public TunnelClient(Transport transport, EventLoopGroup group, InetSocketAddress server, TunnelSettings settings,
                        SecureRandom random, Backoff backoff) {
        this.transport = transport;
        this.group = group;
        this.loop = group.next();
        this.server = server;
        this.settings = settings;
        this.random = random;
        this.backoff = backoff;
    }

    /** Starts connecting in the background. */
    public void start() {
        loop.execute(this::connect);
    }

    public TunnelHealth health() {
        return health;
    }

    public InetSocketAddress server() {
        return server;
    }

    /** How many tunnels this client has brought up so far (1 after the first, +1 per reconnect). */
    public long tunnelsEstablished() {
        return established.get();
    }

    /** Completes once {@code n} tunnels in all have been established (for status and tests). */
    public java.util.concurrent.CompletableFuture<Void> whenEstablished(long n) {
        var f = new java.util.concurrent.CompletableFuture<Void>();
        loop.execute(() -> {
            if (established.get() >= n) {
                f.complete(null);
            } else {
                milestones.add(java.util.Map.entry(n, f));
            }
        });
        return f;
    }

    /** Payload bytes sent through all of this client's tunnels so far. */
    public long bytesSent() {
        long n = closedSent.get();
        for (MuxSession s : open) {
            n += s.payloadSent();
        }
        return n;
    }

    /** Payload bytes received through all of this client's tunnels so far. */
    public long bytesReceived() {
        long n = closedReceived.get();
        for (MuxSession s : open) {
            n += s.payloadReceived();
        }
        return n;
    }

    /** The backend's last load report on the live tunnel, or null before the first. */
    public ControlMessage.LoadReport load() {
        MuxSession c = current;
        return c != null && loadFrom == c ? load : null;
    }

    /** This client's streams on the live tunnel when the last load report came (a balancer's estimate). */
    public int localAtReport() {
        return localAtReport;
    }

    /** Whether a tunnel of this client that still carries streams was told to go away (its backend drains). */
    public boolean draining() {
        for (MuxSession s : open) {
            if (s.goAwayReceived() && !s.isClosed()) {
                return true;
            }
        }
        return false;
    }

    /** Streams open on all of this client's tunnels, the live one and those finishing after a GO_AWAY. */
    public int openStreams() {
        int n = 0;
        for (MuxSession s : open) {
            n += s.streamCount();
        }
        return n;
    }

    /**
     * Replaces the live tunnel if it can take no new stream although nothing is wrong with it (its stream ids are
     * used up): its streams finish on it, new ones go to a new tunnel. Event loop only.
     */
    public void retireIfSpent() {
        MuxSession c = current;
        if (c != null && !c.acceptsNewStreams() && !c.isClosed() && !c.goAwayReceived()) {
            retire(c, "takes no new streams (stream ids used up)");
        }
    }

    /** Connection attempts that failed and tunnels lost within the last {@code windowNanos}. Event loop only. */
    public int recentFailures(long windowNanos) {
        long now = loop.ticker().nanoTime();
        while (!failures.isEmpty() && now - failures.peekFirst() > windowNanos) {
            failures.pollFirst();
        }
        return failures.size();
    }

    /**
     * Completes when the live tunnel goes down or stops taking new streams (its backend drains), or at once if none
     * is up (for status and tests).
     */
    public java.util.concurrent.CompletableFuture<Void> whenDown() {
        var f = new java.util.concurrent.CompletableFuture<Void>();
        loop.execute(() -> {
            if (current == null) {
                f.complete(null);
            } else {
                downWaiters.add(f);
            }
        });
        return f;
    }

    /** Runs {@code r} on this client's loop each time a tunnel comes up. */
    public void onUp(Runnable r) {
        loop.execute(() -> upListeners.add(r));
    }

    /** The event loop all of this client's state lives on. */
    public EventLoop loop() {
        return loop;
    }

    /** The live session, or null during an outage. */
    @Override
    public MuxSession currentSession() {
        return current;
    }

    /** A session that takes new streams: at once when the tunnel is up, else when it comes up within {@code wait}. */
    @Override
    public Future<MuxSession> acquire(Duration wait) {
        Promise<MuxSession> p = loop.newPromise();
        loop.execute(() -> {
            if (closed) {
                p.tryFailure(new IllegalStateException("frontend is shutting down"));
            } else if (current != null && current.acceptsNewStreams()) {
                p.trySuccess(current);
            } else {
                if (current != null) {
                    retire(current, "takes no new streams (stream ids used up)");
                }
                waiters.add(p);
                loop.schedule(() -> {
                    if (waiters.remove(p)) {
                        p.tryFailure(new java.util.concurrent.TimeoutException(
                                "no tunnel to " + server + " within " + wait.toMillis() + " ms"));
                    }
                }, wait.toMillis(), TimeUnit.MILLISECONDS);
                connect();
            }
        });
        return p;
    }

    /** Starts one connection attempt, unless one is under way or a usable tunnel is up. */
    private void connect() {
        if (closed || connecting || current != null) {
            return;
        }
        connecting = true;
        if (pendingRetry != null) {
            pendingRetry.cancel(false); // this attempt is the retry: one chain of attempts, never two
            pendingRetry = null;
        }
        Listener listener = new Listener();
        var init = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("handshake", new ClientHandshakeHandler(settings, random, (channel, result) -> {
                    MuxSession mux = MuxSession.client(result.localStreamWindow(), result.peerStreamWindow(),
                            listener);
                    TunnelPipeline.install(channel, settings, health, mux);
                    onLoop(() -> up(mux));
                }));
            }
        };
        // The client's own loop, not any of the group's: the pool and the bridges rely on every tunnel sharing it.
        transport.connect(loop, server, init).addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = (Channel) f.getNow();
                onLoop(() -> attempt = ch);
                ch.closeFuture().addListener(c -> onLoop(() -> down(ch, closeReason(ch))));
            } else {
                onLoop(() -> attemptFailed(String.valueOf(f.cause().getMessage())));
            }
        });
    }

    private void up(MuxSession mux) {
        connecting = false;
        attempt = null;
        if (closed) {
            mux.close();
            return;
        }
        current = mux;
        open.add(mux);
        mux.channel().closeFuture().addListener(f -> {
            if (open.remove(mux)) {
                closedSent.addAndGet(mux.payloadSent());
                closedReceived.addAndGet(mux.payloadReceived());
            }
        });
        long n = established.incrementAndGet();
        milestones.removeIf(m -> {
            if (n >= m.getKey()) {
                m.getValue().complete(null);
                return true;
            }
            return false;
        });
        backoff.reset();
        LOG.info("tunnel to {} up", server);
        outageLogged = false;
        List<Promise<MuxSession>> ready = new ArrayList<>(waiters);
        waiters.clear();
        for (Promise<MuxSession> p : ready) {
            p.trySuccess(mux);
        }
        for (Runnable r : upListeners) {
            r.run();
        }
    }

    /**
     * Starts connecting now if no tunnel is up, no attempt is under way and no retry is waiting out its backoff (a
     * waiting connection wants one; a backend that keeps failing is not tried faster for it).
     */
    public void connectNow() {
        onLoop(() -> {
            if (pendingRetry == null || pendingRetry.isDone()) {
                connect();
            }
        });
    }

    /**
     * A tunnel channel closed: the live one (reconnect), the attempt under way (its handshake failed: retry), or a
     * retired one that finished draining (nothing to do).
     */
    private void down(Channel ch, String why) {
        if (current != null && current.channel() == ch) {
            current = null;
            downWaiters.forEach(f -> f.complete(null));
            downWaiters.clear();
        } else if (ch == attempt) {
            attempt = null;
            connecting = false;
        } else {
            return;
        }
        retryLater(why);
    }

    private static String closeReason(Channel ch) {
        String handshake = ch.attr(ClientHandshakeHandler.FAILURE).get();
        return handshake != null ? handshake : "connection closed";
    }

    private void attemptFailed(String why) {
        connecting = false;
        attempt = null;
        retryLater(why);
    }

    private void retryLater(String why) {
        if (closed) {
            return;
        }
        long now = loop.ticker().nanoTime();
        while (!failures.isEmpty() && now - failures.peekFirst() > FAILURE_MEMORY_NANOS) {
            failures.pollFirst();
        }
        failures.addLast(now);
        long delay = backoff.nextDelayMillis();
        if (!outageLogged || backoff.attempts() % 10 == 0) {
            LOG.warn("tunnel to {} down ({}; last measured {}); reconnecting in {} ms (attempt {})", server, why,
                    health, delay, backoff.attempts());
            outageLogged = true;
        }
        if (pendingRetry == null || pendingRetry.isDone()) {
            pendingRetry = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Stops giving {@code session} to new streams (its streams finish on it) and brings up a new tunnel. When the
     * retired tunnel finally closes, {@link #down} recognises it as neither live nor the attempt and lets it go.
     */
    private void retire(MuxSession session, String why) {
        if (current == session) {
            LOG.info("tunnel to {} {}; opening a new tunnel for new streams", server, why);
            current = null;
            downWaiters.forEach(f -> f.complete(null));
            downWaiters.clear();
            connect();
        }
    }

    /** Runs on the client's loop; after shutdown there is nothing left to do, so a refused task is dropped. */
    private void onLoop(Runnable task) {
        if (!loop.isShuttingDown()) {
            try {
                loop.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // shutting down
            }
        }
    }

    @Override
    public void close() {
        onLoop(() -> {
            closed = true;
            for (Promise<MuxSession> p : waiters) {
                p.tryFailure(new IllegalStateException("frontend is shutting down"));
            }
            waiters.clear();
            if (current != null) {
                current.close();
            }
            for (MuxSession s : open) {
                s.close(); // retired tunnels still finishing their streams go too
            }
            if (attempt != null) {
                attempt.close(); // a tunnel still in its handshake
            }
        });
    }

    private final class Listener implements SessionListener {
        @Override
        public void onControl(MuxSession session, ControlMessage message) {
            if (message instanceof ControlMessage.GoAway) {
                onLoop(() -> retire(session, "is draining"));
            } else if (message instanceof ControlMessage.LoadReport report) {
                onLoop(() -> {
                    if (session == current || current == null) {
                        loadFrom = session;
                        load = report;
                        localAtReport = session.streamCount();
                    }
                });
            }
        }
    }
}
