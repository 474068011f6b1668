package dev.ferry.frontend;

import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.mux.MuxSession;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Refuses redirected connections that would go round in a circle: one that was not redirected at all (its
 * original destination is the listener it reached), one whose original destination is one of this frontend's own
 * listeners, and one whose original destination is the backend the tunnel runs to (a REDIRECT rule on the
 * frontend's own host that also catches the tunnel's own connection: carried through the tunnel, it would open the
 * tunnel inside itself).
 */
final class LoopGuard {
    private final TunnelClient tunnel;
    private final List<InetSocketAddress> listeners = new CopyOnWriteArrayList<>();

    LoopGuard(TunnelClient tunnel) {
        this.tunnel = tunnel;
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
        SocketAddress backend = session == null ? null : session.channel().remoteAddress();
        if (original.equals(backend) || original.equals(tunnel.server())) {
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
