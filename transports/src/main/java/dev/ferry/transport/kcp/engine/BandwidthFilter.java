package dev.ferry.transport.kcp.engine;

/**
 * The bottleneck bandwidth estimate: the largest delivery rate sampled in the last {@link #windowRounds} round
 * trips. One slot per round, reused round-robin; a slot whose round left the window is ignored. The maximum is
 * computed when a sample comes in, so a sender that goes quiet (or is app-limited and feeds nothing) keeps its
 * estimate instead of seeing it expire for want of news.
 */
final class BandwidthFilter {
    private final int windowRounds;
    private final long[] rates;
    private final long[] rounds;
    private long best;

    BandwidthFilter(int windowRounds) {
        this.windowRounds = windowRounds;
        this.rates = new long[windowRounds];
        this.rounds = new long[windowRounds];
        java.util.Arrays.fill(rounds, Long.MIN_VALUE);
    }

    /** Takes a sample of round {@code round} (rounds never decrease). */
    void update(long rate, long round) {
        int i = (int) Math.floorMod(round, (long) windowRounds);
        if (rounds[i] != round) {
            rounds[i] = round;
            rates[i] = rate;
        } else {
            rates[i] = Math.max(rates[i], rate);
        }
        long max = 0;
        for (int k = 0; k < windowRounds; k++) {
            if (rounds[k] > round - windowRounds) {
                max = Math.max(max, rates[k]);
            }
        }
        best = max;
    }

    /** Forgets every earlier round: the estimate becomes {@code rate}. */
    void reset(long rate, long round) {
        java.util.Arrays.fill(rounds, Long.MIN_VALUE);
        best = 0;
        update(rate, round);
    }

    /** Bytes per second, 0 before the first sample. */
    long get() {
        return best;
    }
}
