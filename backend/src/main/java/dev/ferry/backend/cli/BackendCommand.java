package dev.ferry.backend.cli;

import dev.ferry.backend.BackendConfig;
import dev.ferry.backend.BackendServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
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
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ferry backend}: accepts tunnels from frontends holding the key and connects their streams onwards. */
@Command(name = "backend", mixinStandardHelpOptions = true, versionProvider = Version.class,
        customSynopsis = {"ferry backend [--listen HOST:PORT] [--allow RULE]... [--deny RULE]...",
                "                     (--key-file PATH | --key SPEC | env FERRY_KEY) [OPTIONS]"},
        description = {"Run the server end: accept tunnels from frontends that hold the key and connect "
                + "each stream to its destination.",
                "Anyone without the key gets silence, so listening on every address exposes nothing."},
        footerHeading = "%nExamples:%n",
        footer = {"  # On the server; a frontend can then forward to the server's own SSH:",
                "  ferry genkey > /etc/ferry.key",
                "  ferry backend --listen :7000 --key-file /etc/ferry.key",
                "",
                "  # Only let streams reach the server's SSH and web servers in 10.0.0.0/8:",
                "  ferry backend --key-file /etc/ferry.key \\",
                "      --allow 127.0.0.1:22 --allow 10.0.0.0/8:80,443",
                "",
                "  # Tunnels over kcp (UDP port 7000) for frontends on lossy links:",
                "  ferry backend --listen :7000 --key-file /etc/ferry.key --transport kcp",
                "",
                "  # Anything but the cloud metadata service and SMTP:",
                "  ferry backend --key-file /etc/ferry.key --deny 169.254.169.254 --deny '*:25'",
                "",
                "RULE is CIDR[:PORTS], IP[:PORTS] or *:PORTS; PORTS is N, N-M or a comma list;",
                "IPv6 goes in brackets: [2001:db8::/32]:443. --deny wins over --allow; with any",
                "--allow, a destination must match one. Names are checked after resolution."})
public final class BackendCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(BackendCommand.class);

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:7000",
            converter = Converters.ListenConverter.class,
            description = "Where to accept tunnels (:PORT = every IPv4 address; port 0 = any free port). "
                    + "Default: ${DEFAULT-VALUE}.")
    HostPort listen;

    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "tcp",
            description = "How tunnels arrive: tcp, or kcp (UDP, for frontends on links that lose packets); udp is "
                    + "the same UDP listener as kcp. Frontends with --transport kcp or udp need kcp or udp here, "
                    + "frontends with tcp need tcp. Default: ${DEFAULT-VALUE}.")
    String transport;

    @Mixin
    KeyOptions keys = new KeyOptions();

    @Option(names = "--allow", paramLabel = "RULE", converter = Converters.RuleConverter.class,
            description = "Let streams reach only destinations matching a RULE (repeatable). Default: any.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "RULE", converter = Converters.RuleConverter.class,
            description = "Refuse streams to destinations matching a RULE (repeatable); wins over --allow.")
    List<String> deny = new ArrayList<>();

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "Give up connecting a stream to its destination after this long. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = Converters.DurationConverter.class,
            description = "On SIGTERM, stop accepting and give open streams this long to finish. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--weight", paramLabel = "N", defaultValue = "1",
            description = "This backend's capacity relative to others behind the same frontends (1 to 65535), sent "
                    + "to them in load reports; a frontend's --server ...,weight=N overrides it. "
                    + "Default: ${DEFAULT-VALUE}.")
    int weight;

    @Mixin
    TunnelOptions tunnelOptions = new TunnelOptions();

    @Mixin
    KcpTuningOptions kcpOptions = new KcpTuningOptions();

    @Option(names = "--insecure-no-encryption",
            description = "Also accept frontends that ask for --cipher none (traffic in the clear, no integrity).")
    boolean allowNoEncryption;

    public BackendCommand(CliContext context) {
        this.context = context;
    }

    /**
     * Validates every option and builds the configuration; opens nothing.
     *
     * @throws IllegalArgumentException one line naming the bad option
     */
    public BackendConfig config() {
        InetSocketAddress bind = Cli.named("--listen", listen::resolve);
        Cli.named("--transport", () -> context.transports().requireKnown(transport));
        DestinationPolicy policy = DestinationPolicy.of(allow, deny); // rules were checked by the converter
        if (connectTimeout.isZero()) {
            throw new IllegalArgumentException("--connect-timeout: must be more than 0");
        }
        if (weight < 1 || weight > 65535) {
            throw new IllegalArgumentException("--weight: must be 1 to 65535, got " + weight);
        }
        PresharedKey key = keys.resolve(context.env()); // last: a passphrase takes a moment to stretch
        TunnelSettings tunnel = kcpOptions.applyTo(tunnelOptions.applyTo(TunnelSettings.defaults(key,
                CipherKind.AES_256_GCM)));
        if (allowNoEncryption) {
            tunnel = new TunnelSettings(tunnel.key(), tunnel.cipher(), true, tunnel.keepaliveInterval(),
                    tunnel.deadAfter(), tunnel.handshakeTimeout(), tunnel.streamWindow(), tunnel.clock(), tunnel.kcp(),
                    tunnel.udpIdle());
        }
        return new BackendConfig(bind, transport, tunnel, policy, connectTimeout, drainTimeout, weight);
    }

    @Override
    public Integer call() throws InterruptedException {
        BackendConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            return Cli.usage(spec.commandLine(), e.getMessage());
        }
        BackendServer server = new BackendServer(config, context.io(), context.transports());
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (Exception e) {
            server.close();
            return Cli.fail(spec.commandLine(), "backend cannot listen on " + HostPort.format(config.listen())
                    + ": " + Cli.describe(e));
        }
        log.info("ferry backend listening on {} ({}, {} I/O); destinations: {}{}", HostPort.format(bound),
                config.transport(), context.io().name(), config.policy(),
                allowNoEncryption ? "; accepts cipher none" : "");
        return Foreground.runUntilStopped(context.shutdownHooks(), () -> {
            log.info("stopping: draining open streams for up to {}", Durations.format(config.drainTimeout()));
            server.drain(config.drainTimeout());
        });
    }
}
