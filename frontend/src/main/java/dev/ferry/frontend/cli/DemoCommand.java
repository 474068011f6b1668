package dev.ferry.frontend.cli;

import dev.ferry.backend.BackendConfig;
import dev.ferry.backend.BackendServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.backend.cli.Cli;
import dev.ferry.backend.cli.CliContext;
import dev.ferry.backend.cli.Foreground;
import dev.ferry.backend.cli.HostPort;
import dev.ferry.backend.cli.Version;
import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.wire.Destination;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry demo}: the quick start in one process. A demo HTTP target, a backend and a frontend, all on
 * loopback, joined by a real encrypted tunnel with a fresh random key; {@code curl} on the printed port goes through
 * all of it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Try ferry on one machine: start a demo web server, a backend and a frontend in this "
                + "process, joined by a real encrypted tunnel with a fresh key, and forward 127.0.0.1:PORT "
                + "through it to the web server. Runs until Ctrl-C."},
        footerHeading = "%nExamples:%n",
        footer = {"  ferry demo                 # then, in another terminal:",
                "  curl http://127.0.0.1:8080/",
                "  curl -s http://127.0.0.1:8080/bytes/104857600 | wc -c   # 100 MB through it",
                "",
                "  ferry demo --port 9000     # when 8080 is taken"})
public final class DemoCommand implements Callable<Integer> {
    /** Short: a demo should stop at once on Ctrl-C. */
    static final Duration DRAIN = Duration.ofSeconds(2);

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", converter = PortConverter.class,
            description = "Local port to forward (on 127.0.0.1). Default: ${DEFAULT-VALUE}.")
    int port;

    public DemoCommand(CliContext context) {
        this.context = context;
    }

    /** 1 to 65535. */
    public static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return HostPort.parsePort(value, value, false);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        PresharedKey key = PresharedKey.fromSpec(PresharedKey.generateSpec(context.random()));
        TunnelSettings tunnel = TunnelSettings.defaults(key, CipherKind.AES_256_GCM);
        String transport = "tcp";

        DemoTarget target;
        try {
            target = DemoTarget.start(new InetSocketAddress(loopback, 0));
        } catch (Exception e) {
            return Cli.fail(spec.commandLine(), "demo cannot start its web server: " + Cli.describe(e));
        }
        // The backend may reach the demo target and nothing else: the demo shows --allow at work, too.
        DestinationPolicy policy = DestinationPolicy.of(List.of(HostPort.format(target.address())), List.of());
        BackendServer backend = new BackendServer(new BackendConfig(new InetSocketAddress(loopback, 0), transport,
                tunnel, policy, BackendConfig.DEFAULT_CONNECT_TIMEOUT, DRAIN), context.io(), context.transports());
        InetSocketAddress backendAddress;
        try {
            backendAddress = backend.start();
        } catch (Exception e) {
            backend.close();
            target.close();
            return Cli.fail(spec.commandLine(), "demo cannot start its backend: " + Cli.describe(e));
        }
        InetSocketAddress local = new InetSocketAddress(loopback, port);
        FrontendServer frontend = new FrontendServer(new FrontendConfig(backendAddress, transport, tunnel,
                List.of(new PortForward(local, Destination.of(target.address()))), FrontendConfig.DEFAULT_OPEN_WAIT,
                DRAIN), context.io(), context.transports());
        try {
            frontend.start();
        } catch (Exception e) {
            frontend.close();
            backend.drain(Duration.ZERO);
            target.close();
            return Cli.fail(spec.commandLine(), "demo cannot listen on " + HostPort.format(local) + ": "
                    + Cli.describe(e) + " (pick another port with --port)");
        }

        String url = "http://" + HostPort.format(local) + "/";
        PrintWriter out = spec.commandLine().getOut();
        out.println("ferry demo is running: frontend " + HostPort.format(local) + " -> tunnel ("
                + tunnel.cipher() + ", " + transport + ") -> backend " + HostPort.format(backendAddress)
                + " -> demo web server " + HostPort.format(target.address()));
        out.println();
        out.println("In another terminal, try:");
        out.println("  curl " + url);
        out.println("  curl -s " + url + "bytes/104857600 | wc -c     # 100 MB through the tunnel");
        out.println();
        out.println("Press Ctrl-C to stop.");
        out.flush();

        return Foreground.runUntilStopped(context.shutdownHooks(), () -> {
            frontend.drain(DRAIN);
            backend.drain(DRAIN);
            target.close();
        });
    }
}
