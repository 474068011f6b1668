package dev.ferry.frontend;

import dev.ferry.backend.DestinationPolicy;

import java.util.Objects;

/**
 * Who may use the frontend, and how many connections at once: {@code --allow-client}, {@code --deny-client} (address
 * blocks, the backend's {@code --allow}/{@code --deny} syntax; deny wins, and with any allow a client must match one)
 * for every TCP listener and UDP socket; {@code --max-connections} in total and {@code --max-connections-per-client}
 * per client address (0 = no limit) for TCP connections.
 */
public record ClientAccess(DestinationPolicy addresses, int maxConnections, int maxPerClient) {
    /** Anyone, any number. */
    public static final ClientAccess OPEN = new ClientAccess(DestinationPolicy.allowAll(), 0, 0);

    public ClientAccess {
        Objects.requireNonNull(addresses, "addresses");
        if (maxConnections < 0 || maxPerClient < 0) {
            throw new IllegalArgumentException("connection limits must be >= 0 (0 = none)");
        }
    }
}
