package dev.ferry.tunnel.control;

/**
 * Keepalive measurements of one tunnel: last, smoothed and median RTT, when the peer last answered, and the share of
 * recent pings that got no answer. Written on the tunnel's event loop, read from anywhere (status, balancing).
 */
public final class TunnelHealth {
    /** RTT samples the median is taken over: one odd probe moves it not at all. */
    static final int MEDIAN_OF = 9;

    private volatile long lastRttNanos = -1;
    private volatile long smoothedRttNanos = -1;
    private volatile long pingsSent;
    private volatile long pingsLost;
    private volatile long lastAnswerNanos = Long.MIN_VALUE;
    private final long[] recent = new long[MEDIAN_OF];
    private int recentCount;
    private int recentNext;
    private long samples;
    private final java.util.List<java.util.Map.Entry<Long, java.util.concurrent.CompletableFuture<Void>>> waiting =
            new java.util.ArrayList<>();

    void onPong(long rttNanos, long nowNanos) {
        lastRttNanos = rttNanos;
        lastAnswerNanos = nowNanos;
        long s = smoothedRttNanos;
        smoothedRttNanos = s < 0 ? rttNanos : s + (rttNanos - s) / 8; // RFC 6298's alpha = 1/8
        synchronized (recent) {
            recent[recentNext] = rttNanos;
            recentNext = (recentNext + 1) % MEDIAN_OF;
            recentCount = Math.min(recentCount + 1, MEDIAN_OF);
            samples++;
            waiting.removeIf(w -> {
                if (samples >= w.getKey()) {
                    w.getValue().complete(null);
                    return true;
                }
                return false;
            });
        }
    }

    /** Completes once {@code n} RTT samples in all have been taken (for status and tests). */
    public java.util.concurrent.CompletableFuture<Void> whenMeasured(long n) {
        var f = new java.util.concurrent.CompletableFuture<Void>();
        synchronized (recent) {
            if (samples >= n) {
                f.complete(null);
            } else {
                waiting.add(java.util.Map.entry(n, f));
            }
        }
        return f;
    }

    /** A tunnel came up at {@code nowNanos}: it counts as answering from then. */
    void onUp(long nowNanos) {
        lastAnswerNanos = nowNanos;
    }

    /** When (event-loop ticker time) the peer last answered a ping, or the tunnel came up. */
    public long lastAnswerNanos() {
        return lastAnswerNanos;
    }

    /** The median of the last {@value #MEDIAN_OF} RTT samples in nanoseconds, or -1 before the first. */
    public long medianRttNanos() {
        long[] copy;
        synchronized (recent) {
            if (recentCount == 0) {
                return -1;
            }
            copy = java.util.Arrays.copyOf(recent, recentCount);
        }
        java.util.Arrays.sort(copy);
        return copy[copy.length / 2];
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
