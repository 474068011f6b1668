package dev.ferry.frontend;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers which client addresses were already named in a log line, so a client that keeps sending datagrams that
 * are refused is logged once, not once per datagram. Bounded: past {@link #REMEMBERED} addresses the oldest is
 * forgotten (and would be logged again). Not thread-safe: one event loop uses it.
 */
final class OncePerAddress {
    static final int REMEMBERED = 1024;

    private final Map<InetAddress, Boolean> seen = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** True the first time {@code a} is given (while remembered). */
    boolean first(InetAddress a) {
        return seen.put(a, Boolean.TRUE) == null;
    }
}
