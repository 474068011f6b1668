package dev.ferry.frontend.cli;

import dev.ferry.backend.DestinationPolicy;
import dev.ferry.backend.cli.Cli;
import dev.ferry.backend.cli.CliContext;
import dev.ferry.backend.cli.Converters;
import dev.ferry.backend.cli.Durations;
import dev.ferry.backend.cli.Foreground;
import dev.ferry.backend.cli.HostPort;
import dev.ferry.backend.cli.KeyOptions;
import dev.ferry.backend.cli.KcpTuningOptions;
import dev.ferry.backend.cli.TunnelOptions;
import dev.ferry.backend.cli.Version;
import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.frontend.BackendSpec;
import dev.ferry.frontend.ClientAccess;
import dev.ferry.frontend.Entrance;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.frontend.StatusServer;
import dev.ferry.frontend.socks.SocksService;
import dev.ferry.frontend.socks.SocksUsers;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.balance.Balance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code ferry frontend}: forwards local ports through one encrypted tunnel to a backend. */
@Command(name = "frontend", mixinStandardHelpOptions = true, versionProvider = Version.class,
        customSynopsis = {"ferry frontend --server HOST:PORT[,weight=N]...",
                "      (--key-file PATH | --key SPEC | env FERRY_KEY)",
                "      (-L [BIND:]PORT=HOST:PORT | -U [BIND:]PORT=HOST:PORT",
                "       | --socks [BIND:]PORT | --redirect [BIND:]PORT | --tproxy [BIND:]PORT)...",
                "      [OPTIONS]"},
        description = {"Run the client end: accept connections on local ports (fixed forwards, SOCKS5, or "
                + "connections a firewall redirected) and carry each one as a stream through one encrypted tunnel "
                + "to the backend, which connects it to its destination.",
                "A new connection waits up to --open-wait for the tunnel while it is being re-established."},
        footerHeading = "%nExamples:%n",
        footer = {"  # kcptun-style: the server's own SSH; then 'ssh -p 2222 localhost'",
                "  ferry frontend --server vps.example.com:7000 --key-file ferry.key \\",
                "      -L 2222=127.0.0.1:22",
                "",
                "  # Several forwards; the second one reachable from the whole LAN:",
                "  FERRY_KEY=$(cat ferry.key) ferry frontend --server 203.0.113.7:7000 \\",
                "      -L 8443=intranet.example:443 -L 0.0.0.0:3389=10.0.0.5:3389",
                "",
                "  # SOCKS5 for browsers and curl (names resolved at the backend):",
                "  ferry frontend --server vps.example.com:7000 --key-file ferry.key --socks 1080",
                "  curl --socks5-hostname 127.0.0.1:1080 https://example.com/",
                "",
                "  # This host's own TCP traffic, redirected by iptables (README: recipes):",
                "  ferry frontend --server 203.0.113.7:7000 --key-file ferry.key --redirect 12345",
                "  iptables -t nat -A OUTPUT -p tcp ! -d 203.0.113.7 \\",
                "      -m addrtype ! --dst-type LOCAL -j REDIRECT --to-ports 12345",
                "",
                "  # Open to the LAN only, at most 16 connections per machine:",
                "  ferry frontend --server vps.example.com:7000 --key-file ferry.key \\",
                "      -L 0.0.0.0:3389=10.0.0.5:3389 --allow-client 192.168.1.0/24 \\",
                "      --max-connections-per-client 16",
                "",
                "  # IPv6 addresses go in brackets:",
                "  ferry frontend --server [2001:db8::7]:7000 --key-file ferry.key \\",
                "      -L [::1]:5432=[fd00::5]:5432",
                "",
                "  # Over a lossy link: kcp over UDP (the backend needs --transport kcp too):",
                "  ferry frontend --server vps.example.com:7000 --key-file ferry.key \\",
                "      --transport kcp --mode fast3 -L 2222=127.0.0.1:22"})
public final class FrontendCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(FrontendCommand.class);

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Option(names = "--server", paramLabel = ServerParser.SYNTAX, required = true, converter = ServerParser.class,
            description = {"A backend (a name is resolved at each connect). Repeat it for several: each new "
                    + "connection goes to one of those whose tunnel is up, as --balance says; weight=N gives a "
                    + "backend N times the share (default: the weight the backend reports, 1 unless it has "
                    + "--weight)."})
    List<BackendSpec> servers = new ArrayList<>();

    @Option(names = "--conn", paramLabel = "N", defaultValue = "1",
            description = "Tunnels to each backend (1 to 16); new streams take the one with the fewest open. "
                    + "Default: ${DEFAULT-VALUE}.")
    int conn;

    @Option(names = "--balance", paramLabel = "NAME", defaultValue = "weighted",
            description = "How new connections are spread over several backends: round-robin; weighted (each "
                    + "backend in turn, as often as its weight); least-streams (fewest open streams for its "
                    + "weight); lowest-rtt (lowest median keepalive RTT, with loss and recent failures counted "
                    + "against it). A backend whose tunnel is down, draining or silent gets none. "
                    + "Default: ${DEFAULT-VALUE}.")
    String balance;

    @Option(names = "-L", paramLabel = ForwardParser.SYNTAX, converter = ForwardParser.class,
            description = {"Forward connections to local [BIND:]PORT through the tunnel to HOST:PORT, as seen "
                    + "from the backend (repeatable). BIND defaults to 127.0.0.1; binding wider lets anyone who "
                    + "reaches that port use the tunnel."})
    List<PortForward> forwards = new ArrayList<>();

    @Option(names = "-U", paramLabel = ForwardParser.SYNTAX, converter = ForwardParser.class,
            description = {"Forward UDP datagrams sent to local [BIND:]PORT through the tunnel to HOST:PORT, as seen "
                    + "from the backend, and the replies back to their sender (repeatable; DNS, games, VoIP). Each "
                    + "sender address is a flow, forgotten after --udp-timeout of silence."})
    List<PortForward> udpForwards = new ArrayList<>();

    @Option(names = "--redirect", paramLabel = BindParser.SYNTAX, converter = BindParser.class,
            description = {"Accept TCP connections that an iptables/nftables REDIRECT rule sends to [BIND:]PORT "
                    + "and carry each to where it was originally going (SO_ORIGINAL_DST; IPv4 and IPv6; Linux). "
                    + "BIND defaults to 127.0.0.1 (own-host OUTPUT rules); on a LAN gateway use 0.0.0.0 with "
                    + "--allow-client. Connections that were not redirected, or would loop, are refused."})
    List<InetSocketAddress> redirects = new ArrayList<>();

    @Option(names = "--tproxy", paramLabel = BindParser.SYNTAX, converter = BindParser.class,
            description = {"Accept the TCP connections and UDP datagrams an iptables/nftables TPROXY rule delivers "
                    + "to [BIND:]PORT and carry each to where it was going; UDP replies go back from that address "
                    + "(IP_TRANSPARENT; needs root or CAP_NET_ADMIN, and the policy routing in the README)."})
    List<InetSocketAddress> tproxies = new ArrayList<>();

    @Option(names = "--socks", paramLabel = BindParser.SYNTAX, converter = BindParser.class,
            description = {"Serve SOCKS5 on [BIND:]PORT (repeatable): CONNECT and UDP ASSOCIATE, each carried "
                    + "through the tunnel; domain names are resolved at the backend, so DNS does not leak on the "
                    + "LAN. The same port takes HTTP CONNECT (an HTTP proxy for HTTPS and other tunnels). BIND "
                    + "defaults to 127.0.0.1."})
    List<InetSocketAddress> socks = new ArrayList<>();

    @Option(names = "--socks-users", paramLabel = "FILE",
            description = "SOCKS5 clients must log in (RFC 1929), HTTP CONNECT clients send Proxy-Authorization "
                    + "Basic, as one of the users in FILE, one NAME:PASSWORD per line (printable ASCII; # starts a "
                    + "comment). Default: no login.")
    java.nio.file.Path socksUsers;

    @Option(names = "--socks-fast-open",
            description = "Answer a SOCKS5 CONNECT at once instead of after the backend has connected: the client's "
                    + "request then leaves with the open, one round trip sooner, but a destination that cannot be "
                    + "reached shows only as a closed connection, not as a SOCKS5 error code.")
    boolean socksFastOpen;

    @Option(names = "--status", paramLabel = BindParser.SYNTAX, converter = BindParser.class,
            description = "Serve the backends' state, RTT, loss, streams and bytes as text on "
                    + "http://[BIND:]PORT/status (loopback only; 'ferry status PORT' prints it).")
    InetSocketAddress status;

    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "tcp",
            description = "How the tunnel travels: tcp; kcp (UDP with its own retransmission, for links that "
                    + "lose packets; -U datagrams go beside it, unretransmitted); or udp (as kcp, for -U forwards "
                    + "only). The backend needs tcp for tcp, kcp or udp for the others. Default: ${DEFAULT-VALUE}.")
    String transport;

    @Mixin
    KeyOptions keys = new KeyOptions();

    @Option(names = "--cipher", paramLabel = "NAME", defaultValue = "aes-256-gcm", converter = CipherConverter.class,
            description = "Record cipher: aes-256-gcm, chacha20-poly1305 (fast without AES hardware), aes-128-gcm, "
                    + "or none (needs --insecure-no-encryption). Default: ${DEFAULT-VALUE}.")
    CipherKind cipher;

    @Option(names = "--insecure-no-encryption",
            description = "Confirm --cipher none: traffic crosses the network in the clear and unauthenticated "
                    + "(the handshake still checks the key).")
    boolean insecure;

    @Mixin
    TunnelOptions tunnelOptions = new TunnelOptions();

    @Mixin
    KcpTuningOptions kcpOptions = new KcpTuningOptions();

    @Mixin
    DownRateOption downRate = new DownRateOption();

    @Option(names = "--open-wait", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "How long a new connection waits for the tunnel during an outage before it is closed. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration openWait;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = Converters.DurationConverter.class,
            description = "On SIGTERM, stop accepting and give open streams this long to finish. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--allow-client", paramLabel = "CIDR",
            description = "Take connections and UDP datagrams only from clients in this address block, e.g. "
                    + "192.168.1.0/24 or [fd00::/8] (repeatable). Default: any client.")
    List<String> allowClients = new ArrayList<>();

    @Option(names = "--deny-client", paramLabel = "CIDR",
            description = "Refuse connections and UDP datagrams from clients in this address block (repeatable); "
                    + "wins over --allow-client.")
    List<String> denyClients = new ArrayList<>();

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "0",
            description = "Refuse TCP connections beyond N open at once. Default: 0 (no limit).")
    int maxConnections;

    @Option(names = "--max-connections-per-client", paramLabel = "N", defaultValue = "0",
            description = "Refuse TCP connections beyond N open at once from one client address. Default: 0 "
                    + "(no limit).")
    int maxPerClient;

    public FrontendCommand(CliContext context) {
        this.context = context;
    }

    /**
     * Validates every option and builds the configuration; opens nothing.
     *
     * @throws IllegalArgumentException one line naming the bad option
     */
    public FrontendConfig config() {
        Cli.named("--transport", () -> context.transports().requireKnown(transport));
        if (cipher == CipherKind.NONE && !insecure) {
            throw new IllegalArgumentException("--cipher none sends everything in the clear and unauthenticated; "
                    + "add --insecure-no-encryption if that is really what you want");
        }
        if (insecure && cipher != CipherKind.NONE) {
            throw new IllegalArgumentException("--insecure-no-encryption only goes with --cipher none (the cipher is "
                    + cipher.cliName() + ")");
        }
        if (status != null && !status.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--status: listens on a loopback address only (it tells whoever asks "
                    + "where the backends are), not " + HostPort.format(status));
        }
        List<Entrance> entrances = entrances();
        Balance balanceKind = Cli.named("--balance", () -> Balance.fromCli(balance));
        if (conn < 1 || conn > FrontendConfig.MAX_CONN) {
            throw new IllegalArgumentException("--conn: must be 1 to " + FrontendConfig.MAX_CONN + ", got " + conn);
        }
        requireDistinctServers(servers);
        if (forwards.isEmpty() && udpForwards.isEmpty() && entrances.isEmpty()) {
            throw new IllegalArgumentException("give at least one -L (TCP) or -U (UDP) forward, --redirect, "
                    + "--tproxy or --socks");
        }
        if (transport.equals("udp") && !(forwards.isEmpty() && entrances.isEmpty())) {
            throw new IllegalArgumentException("--transport udp carries only UDP flows (-U); for TCP (-L, "
                    + "--redirect, --tproxy, --socks) use --transport kcp or tcp");
        }
        List<InetSocketAddress> tcpBinds = new ArrayList<>();
        forwards.forEach(f -> tcpBinds.add(f.bind()));
        entrances.forEach(e -> tcpBinds.add(e.bind()));
        requireDistinct("-L/--redirect/--tproxy/--socks", tcpBinds);
        List<InetSocketAddress> udpBinds = new ArrayList<>(udpForwards.stream().map(PortForward::bind).toList());
        udpBinds.addAll(tproxies);
        requireDistinct("-U/--tproxy", udpBinds);
        ClientAccess access = clientAccess();
        PresharedKey key = keys.resolve(context.env()); // last: a passphrase takes a moment to stretch
        TunnelSettings t = downRate.applyTo(kcpOptions.applyTo(tunnelOptions.applyTo(
                TunnelSettings.defaults(key, cipher))));
        TunnelSettings tunnel = new TunnelSettings(t.key(), t.cipher(), insecure, t.keepaliveInterval(),
                t.deadAfter(), t.handshakeTimeout(), t.streamWindow(), t.clock(), t.kcp(), t.udpIdle());
        return new FrontendConfig(servers, transport, tunnel, forwards, openWait, drainTimeout, udpForwards, access,
                entrances, conn, balanceKind);
    }

    private List<Entrance> entrances() {
        if (!redirects.isEmpty() && !context.io().isEpoll()) {
            throw new IllegalArgumentException("--redirect needs Linux's epoll I/O (SO_ORIGINAL_DST); this process "
                    + "runs " + context.io().name());
        }
        if (!tproxies.isEmpty() && !context.io().isEpoll()) {
            throw new IllegalArgumentException("--tproxy needs Linux's epoll I/O (IP_TRANSPARENT); this process runs "
                    + context.io().name());
        }
        if (socksUsers != null && socks.isEmpty()) {
            throw new IllegalArgumentException("--socks-users goes with --socks");
        }
        if (socksFastOpen && socks.isEmpty()) {
            throw new IllegalArgumentException("--socks-fast-open goes with --socks");
        }
        SocksUsers users = socksUsers == null ? SocksUsers.NONE : readUsers(socksUsers);
        List<Entrance> all = new ArrayList<>();
        redirects.forEach(b -> all.add(new Entrance.Redirect(b)));
        tproxies.forEach(b -> all.add(new Entrance.Tproxy(b)));
        socks.forEach(b -> all.add(new Entrance.Socks(b, users, SocksService.DEFAULT_HANDSHAKE_TIMEOUT,
                socksFastOpen)));
        return all;
    }

    private static SocksUsers readUsers(java.nio.file.Path file) {
        List<String> lines;
        try {
            // Latin-1 reads any byte; SocksUsers then refuses what is not ASCII with the line it is on.
            lines = java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("--socks-users " + file + ": cannot read it ("
                    + Cli.describe(e) + ")");
        }
        try {
            return SocksUsers.parse(lines);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--socks-users " + file + ": " + e.getMessage());
        }
    }

    private ClientAccess clientAccess() {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("--max-connections: must be 0 (no limit) or more, got "
                    + maxConnections);
        }
        if (maxPerClient < 0) {
            throw new IllegalArgumentException("--max-connections-per-client: must be 0 (no limit) or more, got "
                    + maxPerClient);
        }
        DestinationPolicy addresses;
        try {
            addresses = DestinationPolicy.of(allowClients, denyClients);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--allow-client/--deny-client: " + e.getMessage());
        }
        return new ClientAccess(addresses, maxConnections, maxPerClient);
    }

    @Override
    public Integer call() throws InterruptedException {
        FrontendConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            return Cli.usage(spec.commandLine(), e.getMessage());
        }
        FrontendServer frontend = new FrontendServer(config, context.io(), context.transports());
        List<InetSocketAddress> bound;
        try {
            bound = frontend.start();
        } catch (Exception e) {
            frontend.close();
            return Cli.fail(spec.commandLine(), "frontend cannot start: " + Cli.describe(e));
        }
        StatusServer statusServer = null;
        if (status != null) {
            try {
                statusServer = new StatusServer(status, frontend.pool());
                log.info("status on http://{}/status", HostPort.format(statusServer.address()));
            } catch (java.io.IOException | RuntimeException e) {
                frontend.close();
                return Cli.fail(spec.commandLine(), "frontend cannot start: --status " + HostPort.format(status)
                        + ": " + Cli.describe(e));
            }
        }
        StatusServer statusToClose = statusServer;
        log.info("ferry frontend forwarding {} through {} ({}, {}, {} I/O)", describe(config, bound),
                config.servers().stream().map(b -> HostPort.format(b.address())
                        + (b.weight() > 0 ? " (weight " + b.weight() + ")" : "")).collect(Collectors.joining(", ")),
                config.transport(), config.tunnel().cipher(), context.io().name());
        List<InetSocketAddress> tcpBinds = new ArrayList<>();
        config.forwards().forEach(f -> tcpBinds.add(f.bind()));
        config.entrances().forEach(e -> tcpBinds.add(e.bind()));
        for (InetSocketAddress b : tcpBinds) {
            if (!b.getAddress().isLoopbackAddress()) {
                log.warn("{} accepts connections from other hosts: anyone who reaches it can use the tunnel",
                        HostPort.format(b));
            }
        }
        return Foreground.runUntilStopped(context.shutdownHooks(), () -> {
            log.info("stopping: draining open streams for up to {}", Durations.format(config.drainTimeout()));
            frontend.drain(config.drainTimeout());
            if (statusToClose != null) {
                statusToClose.close();
            }
        });
    }

    /** TCP forwards and entrances with the ports actually bound (they differ only when a port was 0). */
    static String describe(FrontendConfig config, List<InetSocketAddress> bound) {
        List<String> parts = new ArrayList<>();
        List<PortForward> forwards = config.forwards();
        for (int i = 0; i < forwards.size(); i++) {
            parts.add(HostPort.format(i < bound.size() ? bound.get(i) : forwards.get(i).bind()) + " -> "
                    + forwards.get(i).target());
        }
        int first = forwards.size() + config.udpForwards().size();
        List<Entrance> entrances = config.entrances();
        for (int i = 0; i < entrances.size(); i++) {
            Entrance e = entrances.get(i);
            String kind = switch (e) {
                case Entrance.Redirect r -> "redirect";
                case Entrance.Socks k -> "socks5";
                case Entrance.Tproxy t -> "tproxy";
            };
            parts.add(kind + " " + HostPort.format(first + i < bound.size() ? bound.get(first + i) : e.bind()));
        }
        return String.join(", ", parts);
    }

    private static void requireDistinctServers(List<BackendSpec> list) {
        Set<InetSocketAddress> seen = new HashSet<>();
        for (BackendSpec b : list) {
            if (!seen.add(b.address())) {
                throw new IllegalArgumentException("--server: " + HostPort.format(b.address())
                        + " is given twice (use --conn for more tunnels to one backend)");
            }
        }
    }

    private static void requireDistinct(String option, List<InetSocketAddress> list) {
        Set<InetSocketAddress> binds = new HashSet<>();
        for (InetSocketAddress b : list) {
            if (!binds.add(b)) {
                throw new IllegalArgumentException(option + ": " + HostPort.format(b) + " is given twice");
            }
        }
    }
}
