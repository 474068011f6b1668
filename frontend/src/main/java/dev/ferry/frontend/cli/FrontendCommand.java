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
import dev.ferry.frontend.ClientAccess;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.tunnel.TunnelSettings;
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
        customSynopsis = {"ferry frontend --server HOST:PORT -L [BIND:]PORT=HOST:PORT...",
                "                      (--key-file PATH | --key SPEC | env FERRY_KEY) [OPTIONS]"},
        description = {"Run the client end: accept connections on local ports and carry each one as a stream "
                + "through one encrypted tunnel to the backend, which connects it to its destination.",
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

    @Option(names = "--server", paramLabel = "HOST:PORT", required = true,
            converter = Converters.HostPortConverter.class,
            description = "The backend (a name is resolved at each connect).")
    HostPort server;

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
            description = "Take TCP connections only from clients in this address block, e.g. 192.168.1.0/24 or "
                    + "[fd00::/8] (repeatable). Default: any client.")
    List<String> allowClients = new ArrayList<>();

    @Option(names = "--deny-client", paramLabel = "CIDR",
            description = "Refuse TCP connections from clients in this address block (repeatable); wins over "
                    + "--allow-client.")
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
        if (forwards.isEmpty() && udpForwards.isEmpty()) {
            throw new IllegalArgumentException("give at least one -L (TCP) or -U (UDP) forward");
        }
        if (transport.equals("udp") && !forwards.isEmpty()) {
            throw new IllegalArgumentException("--transport udp carries only UDP flows (-U); for TCP forwards (-L) "
                    + "use --transport kcp or tcp");
        }
        requireDistinct("-L", forwards);
        requireDistinct("-U", udpForwards);
        ClientAccess access = clientAccess();
        PresharedKey key = keys.resolve(context.env()); // last: a passphrase takes a moment to stretch
        TunnelSettings t = downRate.applyTo(kcpOptions.applyTo(tunnelOptions.applyTo(
                TunnelSettings.defaults(key, cipher))));
        TunnelSettings tunnel = new TunnelSettings(t.key(), t.cipher(), insecure, t.keepaliveInterval(),
                t.deadAfter(), t.handshakeTimeout(), t.streamWindow(), t.clock(), t.kcp(), t.udpIdle());
        return new FrontendConfig(server.toUnresolvedUnlessLiteral(), transport, tunnel, forwards, openWait,
                drainTimeout, udpForwards, access);
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
        log.info("ferry frontend forwarding {} through {} ({}, {}, {} I/O)", describe(config.forwards(), bound),
                HostPort.format(config.server()), config.transport(), config.tunnel().cipher(), context.io().name());
        for (PortForward f : config.forwards()) {
            if (!f.bind().getAddress().isLoopbackAddress()) {
                log.warn("{} accepts connections from other hosts: anyone who reaches it can use the tunnel",
                        HostPort.format(f.bind()));
            }
        }
        return Foreground.runUntilStopped(context.shutdownHooks(), () -> {
            log.info("stopping: draining open streams for up to {}", Durations.format(config.drainTimeout()));
            frontend.drain(config.drainTimeout());
        });
    }

    /** Forwards with the ports actually bound (they differ only when a port was 0). */
    static String describe(List<PortForward> forwards, List<InetSocketAddress> bound) {
        return java.util.stream.IntStream.range(0, forwards.size())
                .mapToObj(i -> (i < bound.size() ? HostPort.format(bound.get(i))
                        : HostPort.format(forwards.get(i).bind())) + " -> " + forwards.get(i).target())
                .collect(Collectors.joining(", "));
    }

    private static void requireDistinct(String option, List<PortForward> list) {
        Set<InetSocketAddress> binds = new HashSet<>();
        for (PortForward f : list) {
            if (!binds.add(f.bind())) {
                throw new IllegalArgumentException(option + ": " + HostPort.format(f.bind()) + " is given twice");
            }
        }
    }
}
