package dev.ferry.tunnel.balance;

import java.util.List;

/** Each backend in turn, skipping those that cannot take a stream now. */
final class RoundRobin implements Balancer {
    private int last = -1;

    @Override
    public Candidate choose(List<Candidate> candidates) {
        Candidate next = candidates.get(0);
        for (Candidate c : candidates) {
            if (c.index() > last) {
                next = c;
                break;
            }
        }
        last = next.index();
        return next;
    }
}
