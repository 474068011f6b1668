package dev.ferry.frontend;

import dev.ferry.tunnel.balance.BackendStatus;

import java.util.List;
import java.util.Locale;

/** Renders the pool's backends as the plain-text table {@code ferry status} prints. */
public final class StatusReport {
    private static final String ROW = "%-28s %-9s %-7s %6s %10s %6s %15s %11s %11s %10s%n";

    private StatusReport() {
    }

    public static String render(List<BackendStatus> backends) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, ROW, "BACKEND", "STATE", "TUNNELS", "WEIGHT", "RTT", "LOSS",
                "STREAMS(HERE/ALL)", "SENT", "RECEIVED", "RECONNECTS"));
        for (BackendStatus s : backends) {
            b.append(String.format(Locale.ROOT, ROW, dev.ferry.tunnel.bridge.AccessLog.format(s.address()), s.state(),
                    s.tunnelsUp() + "/" + s.tunnels(), s.weight(),
                    s.medianRttNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.1fms", s.medianRttNanos() / 1e6),
                    String.format(Locale.ROOT, "%.1f%%", s.loss() * 100),
                    s.localStreams() + "/" + (s.backendStreams() < 0 ? "-" : s.backendStreams()),
                    bytes(s.bytesSent()), bytes(s.bytesReceived()), s.reconnects()));
        }
        return b.toString();
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String units = "KMGTPE";
        int u = (63 - Long.numberOfLeadingZeros(n)) / 10;
        return String.format(Locale.ROOT, "%.1f %siB", n / Math.pow(1024, u), units.charAt(u - 1));
    }
}
