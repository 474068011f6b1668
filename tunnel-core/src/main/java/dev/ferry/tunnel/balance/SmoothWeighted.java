package dev.ferry.tunnel.balance;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round-robin (as nginx does it): every pick adds each candidate's weight to its credit, takes the
 * one with the most credit and charges it the total. Over any run of picks each backend gets its share to within
 * one pick, and picks of one backend are spread out rather than bunched.
 */
final class SmoothWeighted implements Balancer {
    private final Map<Integer, Long> credit = new HashMap<>();

    @Override
    public Candidate choose(List<Candidate> candidates) {
        long total = 0;
        Candidate best = null;
        long bestCredit = Long.MIN_VALUE;
        for (Candidate c : candidates) {
            int w = Math.max(1, c.weight());
            total += w;
            long now = credit.merge(c.index(), (long) w, Long::sum);
            if (now > bestCredit) {
                best = c;
                bestCredit = now;
            }
        }
        credit.merge(best.index(), -total, Long::sum);
        return best;
    }
}
