package dev.ferry.tunnel.balance;

import dev.ferry.tunnel.control.SessionSource;
import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.mux.MuxSession;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Several backends behind one frontend: each new stream goes to the backend the {@link Balancer} picks among those
 * that can take it now (a tunnel up, not draining, its keepalive answered lately), so a new connection never waits
 * on a dead or silent backend while a healthy one is there. Only when none is does it wait, bounded, for the first
 * to come up. Each backend's tunnels reconnect by themselves ({@link TunnelClient}); a backend is back in the pool
 * the moment one of its tunnels is.
 *
 * <p>Threading: every tunnel client and the pool share one event loop; all state is touched there.
 */
public final class BackendPool implements SessionSource {
    /** One backend to pool: its tunnels ({@code --conn} of them) and the weight the frontend gave it (0: reported). */
    public record Member(InetSocketAddress address, int weight, List<TunnelClient> tunnels) {
        public Member {
            tunnels = List.copyOf(tunnels);
            if (tunnels.isEmpty()) {
                throw new IllegalArgumentException("a backend needs at least one tunnel");
            }
        }
    }

    private final EventLoop loop;
    private final List<PooledBackend> backends = new ArrayList<>();
    private final Balancer balancer;
    private final List<Promise<MuxSession>> waiters = new ArrayList<>();
    private boolean closed;

    /**
     * @param suspectAfter how long a tunnel may go without a keepalive answer before new streams avoid it (while
     *                     another backend is fine): well under the dead-tunnel time, well over one keepalive interval
     */
    public BackendPool(List<Member> members, Balancer balancer, Duration suspectAfter) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one backend");
        }
        this.loop = members.get(0).tunnels().get(0).loop();
        this.balancer = balancer;
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            for (TunnelClient t : m.tunnels()) {
                if (t.loop() != loop) {
                    throw new IllegalArgumentException("every tunnel of a pool must share its event loop");
                }
                t.onUp(this::serveWaiters);
            }
            backends.add(new PooledBackend(i, m.address(), m.weight(), m.tunnels(), suspectAfter.toNanos()));
        }
    }

    /** Starts every tunnel. */
    public void start() {
        for (PooledBackend b : backends) {
            b.tunnels().forEach(TunnelClient::start);
        }
    }

    @Override
    public Future<MuxSession> acquire(Duration wait) {
        Promise<MuxSession> p = loop.newPromise();
        loop.execute(() -> {
            if (closed) {
                p.tryFailure(new IllegalStateException("frontend is shutting down"));
                return;
            }
            MuxSession s = pick();
            if (s != null) {
                p.trySuccess(s);
                return;
            }
            waiters.add(p);
            loop.schedule(() -> {
                if (waiters.remove(p)) {
                    p.tryFailure(new TimeoutException("no backend reachable within " + wait.toMillis() + " ms"));
                }
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
            for (PooledBackend b : backends) {
                b.tunnels().forEach(TunnelClient::connectNow);
            }
        });
        return p;
    }

    /** For datagram flows: the session the balancer picks now, as for a stream. */
    @Override
    public MuxSession currentSession() {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("call on the pool's event loop");
        }
        return pick();
    }

    /**
     * The session a new stream should take: the balancer's pick among backends with a usable tunnel, preferring
     * those heard from lately; null if no backend has a tunnel up. {@code forStream} is gone: a stream counts in
     * the backend's load once it is open.
     */
    private MuxSession pick() {
        long now = loop.ticker().nanoTime();
        TunnelClient chosen = choose(now, false);
        if (chosen == null) {
            chosen = choose(now, true); // only suspect ones: better a slow answer than none
        }
        if (chosen == null) {
            return null;
        }
        return chosen.currentSession();
    }

    private TunnelClient choose(long now, boolean evenSuspect) {
        List<Candidate> candidates = new ArrayList<>(backends.size());
        List<TunnelClient> tunnels = new ArrayList<>(backends.size());
        for (PooledBackend b : backends) {
            TunnelClient t = b.usable(now, evenSuspect);
            if (t != null) {
                candidates.add(b);
                tunnels.add(t);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        Candidate c = candidates.size() == 1 ? candidates.get(0) : balancer.choose(candidates);
        return tunnels.get(candidates.indexOf(c));
    }

    private void serveWaiters() {
        while (!waiters.isEmpty()) {
            MuxSession s = pick();
            if (s == null) {
                return;
            }
            waiters.remove(0).trySuccess(s);
        }
    }

    /** A snapshot of every backend, in pool order, taken on the pool's loop. */
    public java.util.concurrent.CompletableFuture<List<BackendStatus>> status() {
        var f = new java.util.concurrent.CompletableFuture<List<BackendStatus>>();
        loop.execute(() -> {
            long now = loop.ticker().nanoTime();
            f.complete(backends.stream().map(b -> b.status(now)).toList());
        });
        return f;
    }

    /** The pooled backends' addresses, in pool order. */
    public List<InetSocketAddress> addresses() {
        return backends.stream().map(PooledBackend::address).toList();
    }

    /** Every tunnel client of the pool, backend by backend. */
    public List<TunnelClient> tunnels() {
        return backends.stream().flatMap(b -> b.tunnels().stream()).toList();
    }

    @Override
    public void close() {
        try {
            loop.execute(() -> {
                closed = true;
                for (Promise<MuxSession> p : waiters) {
                    p.tryFailure(new IllegalStateException("frontend is shutting down"));
                }
                waiters.clear();
            });
        } catch (java.util.concurrent.RejectedExecutionException alreadyShutDown) {
            // closed before: nothing waits any more
        }
        for (PooledBackend b : backends) {
            b.tunnels().forEach(TunnelClient::close);
        }
    }
}
