package dev.ferry.transport.kcp.engine;

/**
 * The path's round-trip propagation delay: the least RTT sample seen within a time window. A sample no larger than
 * the estimate refreshes it (value and time), so a sender that keeps the bottleneck queue empty, as a paced one
 * does, keeps its estimate fresh without effort; one whose estimate has gone {@link #expired} that long is told so,
 * and then drains its queue to measure again ({@link #restart}).
 */
final class MinRttFilter {
    private final long windowMillis;
    private int minRtt = -1;
    private long stampMillis;

    MinRttFilter(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    void sample(int rttMillis, long now) {
        if (minRtt < 0 || rttMillis <= minRtt) {
            minRtt = rttMillis;
            stampMillis = now;
        }
    }

    /** Nothing at or below the estimate was seen for the whole window. */
    boolean expired(long now) {
        return minRtt >= 0 && now - stampMillis > windowMillis;
    }

    /** Replaces the estimate with a fresh measurement (the least RTT of a drain-and-measure phase). */
    void restart(int rttMillis, long now) {
        minRtt = rttMillis;
        stampMillis = now;
    }

    /** Milliseconds, or -1 before the first sample. */
    int get() {
        return minRtt;
    }
}
