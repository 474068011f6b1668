package dev.ferry.tunnel.bridge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per connection at its end, on the logger {@code ferry.access}. */
public final class AccessLog {
    private final Logger log;

    public AccessLog() {
        this(LoggerFactory.getLogger("ferry.access"));
    }

    public AccessLog(Logger log) {
        this.log = log;
    }

    /** {@code 192.0.2.1:5555} or {@code [2001:db8::1]:443}, without the slash of {@code InetSocketAddress}. */
    public static String format(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress a && a.getAddress() != null) {
            String host = a.getAddress().getHostAddress();
            return (a.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * @param client   who connected (the local client on the frontend; tunnel peer and stream id on the backend)
     * @param up       bytes from client towards destination
     * @param down     bytes from destination towards client
     * @param outcome  ok, refused, unreachable, timed_out, denied, failed, reset, tunnel_lost, no_tunnel, ...
     */
    public void connection(String client, Object destination, long up, long down, long millis, String outcome) {
        log.info("{} -> {} up={} down={} time={}ms {}", client, destination, up, down, millis, outcome);
    }
}
