package dev.ferry.frontend;

import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.mux.MuxSession;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
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
    /** How long a lookup of the backend's name is trusted before it is made again (in the background). */
    private static final long RESOLVE_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final TunnelClient tunnel;
    private final List<InetSocketAddress> listeners = new CopyOnWriteArrayList<>();
    private volatile Set<InetAddress> backendAddresses = Set.of();
    private volatile SocketAddress lastBackend;
    private volatile long resolvedAt;
    private final AtomicBoolean resolving = new AtomicBoolean();

    LoopGuard(TunnelClient tunnel) {
        this.tunnel = tunnel;
        resolveBackend();
    }

    /**
     * Looks the backend's name up, off the event loop: the tunnel's own connection, redirected, is addressed to
     * whichever of its addresses the transport picked, and no session may be up to tell which (it is that very
     * connection that cannot come up).
     */
    private void resolveBackend() {
        InetSocketAddress server = tunnel.server();
        if (!server.isUnresolved()) {
            backendAddresses = Set.of(server.getAddress());
            return;
        }
        if (!resolving.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("ferry-loop-guard-resolve").start(() -> {
            try {
                backendAddresses = Set.of(InetAddress.getAllByName(server.getHostString()));
            } catch (UnknownHostException e) {
                // Not resolvable now: the session's address, once there is one, still counts.
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
        MuxSession session = tunnel.currentSession();
        if (session != null) {
            lastBackend = session.channel().remoteAddress();
        }
        if (tunnel.server().isUnresolved() && System.nanoTime() - resolvedAt > RESOLVE_EVERY_NANOS) {
            resolveBackend();
        }
        boolean backendPort = original.getPort() == tunnel.server().getPort()
                && backendAddresses.contains(original.getAddress());
        if (original.equals(lastBackend) || backendPort) {
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
