package dev.ferry.tunnel.balance;

import java.util.List;

/**
 * Picks the backend for a new stream among those that can take one. Called on the pool's event loop only, so a
 * balancer may keep state between picks.
 */
public interface Balancer {
    /** One of {@code candidates} (never empty; in pool order). */
    Candidate choose(List<Candidate> candidates);
}
