package dev.ferry.backend;

import dev.ferry.tunnel.TunnelSettings;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A validated backend configuration. {@code listen} is where tunnels arrive; {@code policy} decides which
 * destinations streams may reach; {@code connectTimeout} bounds each outbound connect; {@code drainTimeout} bounds
 * how long SIGTERM waits for open streams.
 */
public record BackendConfig(InetSocketAddress listen, String transport, TunnelSettings tunnel,
                            DestinationPolicy policy, Duration connectTimeout, Duration drainTimeout) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public BackendConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
    }
}
