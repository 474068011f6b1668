package dev.ferry.tunnel.control;

/**
 * Keepalive measurements of one tunnel: last and smoothed RTT, and the share of recent pings that got no answer.
 * Written on the tunnel's event loop, read from anywhere (status, balancing): fields are volatile.
 */
public final class TunnelHealth {
    private volatile long lastRttNanos = -1;
    private volatile long smoothedRttNanos = -1;
    private volatile long pingsSent;
    private volatile long pingsLost;

    void onPong(long rttNanos) {
        lastRttNanos = rttNanos;
        long s = smoothedRttNanos;
        smoothedRttNanos = s < 0 ? rttNanos : s + (rttNanos - s) / 8; // RFC 6298's alpha = 1/8
    }

    void onPingSent() {
        pingsSent++;
    }

    void onPingLost() {
        pingsLost++;
    }

    /** Last measured RTT in nanoseconds, or -1 before the first answer. */
    public long lastRttNanos() {
        return lastRttNanos;
    }

    /** Smoothed RTT in nanoseconds, or -1 before the first answer. */
    public long smoothedRttNanos() {
        return smoothedRttNanos;
    }

    public long pingsSent() {
        return pingsSent;
    }

    public long pingsLost() {
        return pingsLost;
    }

    /** Lost pings over all pings sent so far (0 before any). */
    public double lossRatio() {
        long sent = pingsSent;
        return sent == 0 ? 0 : (double) pingsLost / sent;
    }

    @Override
    public String toString() {
        long rtt = smoothedRttNanos;
        String r = rtt < 0 ? "rtt=unknown" : String.format(java.util.Locale.ROOT, "rtt=%.1fms", rtt / 1e6);
        return String.format(java.util.Locale.ROOT, "%s loss=%.1f%%", r, lossRatio() * 100);
    }
}
