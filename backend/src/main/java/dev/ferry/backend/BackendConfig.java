package dev.ferry.backend;

import dev.ferry.tunnel.TunnelSettings;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A validated backend configuration. {@code listen} is where tunnels arrive; {@code policy} decides which
 * destinations streams may reach; {@code connectTimeout} bounds each outbound connect; {@code drainTimeout} bounds
 * how long SIGTERM waits for open streams; {@code weight} is the capacity this backend reports to frontends that
 * balance several backends (1 to 65535).
 */
public record BackendConfig(InetSocketAddress listen, String transport, TunnelSettings tunnel,
                            DestinationPolicy policy, Duration connectTimeout, Duration drainTimeout, int weight) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public BackendConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (weight < 1 || weight > dev.ferry.tunnel.wire.WireFormat.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 1 to 65535, got " + weight);
        }
    }

    /** A configuration reporting weight 1. */
    public BackendConfig(InetSocketAddress listen, String transport, TunnelSettings tunnel,
                         DestinationPolicy policy, Duration connectTimeout, Duration drainTimeout) {
        this(listen, transport, tunnel, policy, connectTimeout, drainTimeout, 1);
    }
}
