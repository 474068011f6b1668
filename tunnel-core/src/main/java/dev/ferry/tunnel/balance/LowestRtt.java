package dev.ferry.tunnel.balance;

import java.util.List;

/**
 * The backend with the lowest score, where the score is the median of its last keepalive RTTs, raised by its ping
 * loss and by connection failures in the last minute. Medians and a margin keep one noisy probe from flipping the
 * choice: the backend chosen last stays chosen until another scores {@link #MARGIN} better. A backend not measured
 * yet scores as the best measured one (ties go to the one chosen last, then to pool order), so it is not shunned
 * while its first keepalive answers come in.
 */
final class LowestRtt implements Balancer {
    /** How much better (as a fraction) another backend must score to take over. */
    static final double MARGIN = 0.2;
    /** What one recent failure adds to a score, in nanoseconds. */
    static final long FAILURE_PENALTY_NANOS = 200_000_000L;

    private int current = -1;

    @Override
    public Candidate choose(List<Candidate> candidates) {
        long bestMeasured = Long.MAX_VALUE;
        for (Candidate c : candidates) {
            if (c.medianRttNanos() >= 0) {
                bestMeasured = Math.min(bestMeasured, c.medianRttNanos());
            }
        }
        Candidate best = null;
        double bestScore = Double.MAX_VALUE;
        Candidate incumbent = null;
        double incumbentScore = Double.MAX_VALUE;
        for (Candidate c : candidates) {
            double s = score(c, bestMeasured == Long.MAX_VALUE ? 0 : bestMeasured);
            if (s < bestScore) {
                best = c;
                bestScore = s;
            }
            if (c.index() == current) {
                incumbent = c;
                incumbentScore = s;
            }
        }
        if (incumbent != null && bestScore >= incumbentScore * (1 - MARGIN)) {
            best = incumbent;
        }
        current = best.index();
        return best;
    }

    static double score(Candidate c, long unmeasured) {
        long rtt = c.medianRttNanos() >= 0 ? c.medianRttNanos() : unmeasured;
        // Loss costs retransmissions: at 10 % loss a backend scores as if 2x further away.
        return rtt * (1 + 10 * c.lossRatio()) + (double) c.recentFailures() * FAILURE_PENALTY_NANOS;
    }
}
