package dev.ferry.frontend;

import dev.ferry.tunnel.balance.BackendPool;
import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.mux.MuxSession;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Refuses redirected connections that would go round in a circle: one that was not redirected at all (its
 * original destination is the listener it reached), one whose original destination is one of this frontend's own
 * listeners, and one whose original destination is the backend the tunnel runs to (a REDIRECT rule on the
 * frontend's own host that also catches the tunnel's own connection: carried through the tunnel, it would open the
 * tunnel inside itself).
 */
final class LoopGuard {
    /** How long a lookup of a backend's name is trusted before it is made again (in the background). */
    private static final long RESOLVE_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final BackendPool pool;
    private final List<InetSocketAddress> listeners = new CopyOnWriteArrayList<>();
    private final Set<SocketAddress> tunnelPeers = ConcurrentHashMap.newKeySet();
    private volatile Set<InetSocketAddress> backendAddresses = Set.of();
    private volatile long resolvedAt;
    private final AtomicBoolean resolving = new AtomicBoolean();

    LoopGuard(BackendPool pool) {
        this.pool = pool;
        resolveBackends();
    }

    /**
     * Looks the backends' names up, off the event loop: the tunnel's own connection, redirected, is addressed to
     * whichever address the transport picked, and no session may be up to tell which (it is that very connection
     * that cannot come up).
     */
    private void resolveBackends() {
        if (!resolving.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("ferry-loop-guard-resolve").start(() -> {
            try {
                Set<InetSocketAddress> all = new HashSet<>();
                for (InetSocketAddress server : pool.addresses()) {
                    if (!server.isUnresolved()) {
                        all.add(server);
                        continue;
                    }
                    try {
                        for (InetAddress a : InetAddress.getAllByName(server.getHostString())) {
                            all.add(new InetSocketAddress(a, server.getPort()));
                        }
                    } catch (UnknownHostException e) {
                        // Not resolvable now: its sessions' addresses, once up, still count.
                    }
                }
                backendAddresses = Set.copyOf(all);
            } finally {
                resolvedAt = System.nanoTime();
                resolving.set(false);
            }
        });
    }

    void listening(InetSocketAddress bound) {
        listeners.add(bound);
    }

    /** Null if a connection that reached {@code local} may go on to {@code original}, else why not. */
    String refusal(InetSocketAddress original, InetSocketAddress local) {
        if (original.equals(local)) {
            return "not redirected (its original destination is this listener; connect through a REDIRECT rule)";
        }
        for (InetSocketAddress l : listeners) {
            if (l.getPort() == original.getPort() && (l.getAddress().equals(original.getAddress())
                    || l.getAddress().isAnyLocalAddress() && isLocal(original.getAddress()))) {
                return "loop: the original destination " + original + " is this frontend's own listener";
            }
        }
        for (TunnelClient t : pool.tunnels()) {
            MuxSession session = t.currentSession();
            if (session != null && session.channel().remoteAddress() != null) {
                tunnelPeers.add(session.channel().remoteAddress());
            }
        }
        if (System.nanoTime() - resolvedAt > RESOLVE_EVERY_NANOS) {
            resolveBackends();
        }
        if (tunnelPeers.contains(original) || backendAddresses.contains(original)) {
            return "loop: the original destination is the backend " + original
                    + " the tunnel runs to; exclude it from the REDIRECT rule";
        }
        return null;
    }

    static boolean isLocal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
