package dev.ferry.frontend;

import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.balance.Balance;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A validated frontend configuration. {@code servers} are the backends (one or more; {@code conn} tunnels to each,
 * new streams spread by {@code balance}); {@code openWait} bounds how long an accepted connection waits for a
 * tunnel during an outage before it is closed; {@code drainTimeout} bounds how long SIGTERM waits for open streams;
 * {@code udpForwards} are the {@code -U} forwards of UDP datagrams; {@code access} says which clients the listeners
 * take, and how many; {@code entrances} are the TCP listeners whose connections carry their own destination
 * (redirect, TPROXY, SOCKS5).
 */
public record FrontendConfig(List<BackendSpec> servers, String transport, TunnelSettings tunnel,
                             List<PortForward> forwards, Duration openWait, Duration drainTimeout,
                             List<PortForward> udpForwards, ClientAccess access, List<Entrance> entrances,
                             int conn, Balance balance) {
    public static final Duration DEFAULT_OPEN_WAIT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Most tunnels to one backend ({@code --conn}). */
    public static final int MAX_CONN = 16;

    public FrontendConfig {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one backend");
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(tunnel, "tunnel");
        forwards = List.copyOf(forwards);
        udpForwards = List.copyOf(udpForwards);
        Objects.requireNonNull(openWait, "openWait");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(access, "access");
        entrances = List.copyOf(entrances);
        if (conn < 1 || conn > MAX_CONN) {
            throw new IllegalArgumentException("conn must be 1 to " + MAX_CONN + ", got " + conn);
        }
        Objects.requireNonNull(balance, "balance");
    }

    /** One backend, one tunnel. */
    public FrontendConfig(InetSocketAddress server, String transport, TunnelSettings tunnel,
                          List<PortForward> forwards, Duration openWait, Duration drainTimeout,
                          List<PortForward> udpForwards, ClientAccess access, List<Entrance> entrances) {
        this(List.of(BackendSpec.of(server)), transport, tunnel, forwards, openWait, drainTimeout, udpForwards,
                access, entrances, 1, Balance.WEIGHTED);
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

    /** The first backend (the only one, unless several are pooled). */
    public InetSocketAddress server() {
        return servers.get(0).address();
    }
}
