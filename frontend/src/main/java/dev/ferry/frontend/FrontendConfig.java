package dev.ferry.frontend;

import dev.ferry.tunnel.TunnelSettings;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A validated frontend configuration. {@code server} is the backend (may be unresolved: it is resolved at each
 * connect); {@code openWait} bounds how long an accepted connection waits for a tunnel during an outage before it
 * is closed; {@code drainTimeout} bounds how long SIGTERM waits for open streams; {@code udpForwards} are the
 * {@code -U} forwards of UDP datagrams; {@code access} says which clients the TCP listeners take, and how many;
 * {@code entrances} are the TCP listeners whose connections carry their own destination (redirect, TPROXY, SOCKS5).
 */
public record FrontendConfig(InetSocketAddress server, String transport, TunnelSettings tunnel,
                             List<PortForward> forwards, Duration openWait, Duration drainTimeout,
                             List<PortForward> udpForwards, ClientAccess access, List<Entrance> entrances) {
    public static final Duration DEFAULT_OPEN_WAIT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public FrontendConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(tunnel, "tunnel");
        forwards = List.copyOf(forwards);
        udpForwards = List.copyOf(udpForwards);
        Objects.requireNonNull(openWait, "openWait");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(access, "access");
        entrances = List.copyOf(entrances);
    }

    /** A configuration with forwards only. */
    public FrontendConfig(InetSocketAddress server, String transport, TunnelSettings tunnel,
                          List<PortForward> forwards, Duration openWait, Duration drainTimeout,
                          List<PortForward> udpForwards, ClientAccess access) {
        this(server, transport, tunnel, forwards, openWait, drainTimeout, udpForwards, access, List.of());
    }

    /** A configuration open to any client. */
    public FrontendConfig(InetSocketAddress server, String transport, TunnelSettings tunnel,
                          List<PortForward> forwards, Duration openWait, Duration drainTimeout,
                          List<PortForward> udpForwards) {
        this(server, transport, tunnel, forwards, openWait, drainTimeout, udpForwards, ClientAccess.OPEN);
    }

    /** A configuration without UDP forwards. */
    public FrontendConfig(InetSocketAddress server, String transport, TunnelSettings tunnel,
                          List<PortForward> forwards, Duration openWait, Duration drainTimeout) {
        this(server, transport, tunnel, forwards, openWait, drainTimeout, List.of());
    }
}
