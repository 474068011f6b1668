package dev.ferry.tunnel.balance;

import java.util.List;

/**
 * The backend with the fewest open streams for its weight: its load (the backend's own count, which includes other
 * frontends' streams, plus those handed out since its report) divided by its weight. Ties go round in turn.
 */
final class LeastStreams implements Balancer {
    private final RoundRobin ties = new RoundRobin();

    @Override
    public Candidate choose(List<Candidate> candidates) {
        double best = Double.MAX_VALUE;
        List<Candidate> tied = new java.util.ArrayList<>();
        for (Candidate c : candidates) {
            double score = (double) c.load() / Math.max(1, c.weight());
            if (score < best) {
                best = score;
                tied.clear();
            }
            if (score == best) {
                tied.add(c);
            }
        }
        return ties.choose(tied);
    }
}
