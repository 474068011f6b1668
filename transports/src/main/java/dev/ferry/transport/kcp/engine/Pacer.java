package dev.ferry.transport.kcp.engine;

/**
 * Spaces PUSH transmissions (new data and retransmissions alike) at a rate, as a token budget: the budget grows by
 * {@code rate x elapsed} up to a burst allowance, a segment may leave while it is positive, and each one spends its
 * wire bytes (so the budget may dip below zero by one segment). Acks and other control segments are never paced.
 *
 * <p>The burst allowance is {@value #BURST_SEGMENTS} segments or {@value #BURST_MILLIS} ms at the rate, whichever is
 * more. A whole millisecond's worth is the least that works with a millisecond clock (the owner wakes once per
 * millisecond at best); the second millisecond absorbs an owner that wakes a little late without losing rate,
 * while keeping bursts to what a bottleneck queue of a few ms absorbs.
 *
 * <p>A rate of 0 means unpaced: the budget never runs out. Owned by the engine's thread.
 */
final class Pacer {
    static final int BURST_SEGMENTS = 4;
    static final int BURST_MILLIS = 2;
    /** An owner idle longer than this gets no more than a full burst anyway; it also keeps rate x time small. */
    private static final long MAX_REFILL_MILLIS = 1000;

    private final int mtu;
    private long rate;
    private long budget;
    private long lastMillis;
    private boolean started;

    Pacer(int mtu) {
        this.mtu = mtu;
    }

    /** Brings the budget up to {@code now} at {@code rateBytesPerSecond} (0: unpaced). */
    void refill(long now, long rateBytesPerSecond) {
        rate = rateBytesPerSecond;
        if (!started) {
            started = true;
            lastMillis = now;
            budget = burst(rate);
            return;
        }
        budget = projected(now, rate);
        lastMillis = Math.max(lastMillis, now);
    }

    /** Whether a PUSH may leave now. */
    boolean mayGo() {
        return rate <= 0 || budget > 0;
    }

    void spend(int wireBytes) {
        if (rate > 0) {
            budget -= wireBytes;
        }
    }

    /** The earliest time, never before {@code now}, a PUSH may leave at {@code rateBytesPerSecond}. */
    long nextSendAt(long now, long rateBytesPerSecond) {
        if (rateBytesPerSecond <= 0 || !started) {
            return now;
        }
        long b = projected(now, rateBytesPerSecond);
        if (b > 0) {
            return now;
        }
        return now + Math.ceilDiv((1 - b) * 1000, rateBytesPerSecond);
    }

    private long projected(long now, long r) {
        long cap = burst(r);
        if (r <= 0) {
            return cap;
        }
        long elapsed = Math.min(Math.max(now - lastMillis, 0), MAX_REFILL_MILLIS);
        return Math.min(budget + r * elapsed / 1000, cap);
    }

    private long burst(long r) {
        return Math.max((long) BURST_SEGMENTS * mtu, r * BURST_MILLIS / 1000);
    }
}
