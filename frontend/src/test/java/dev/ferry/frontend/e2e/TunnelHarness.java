package dev.ferry.frontend.e2e;

import dev.ferry.backend.BackendConfig;
import dev.ferry.backend.BackendServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.frontend.ClientAccess;
import dev.ferry.frontend.Entrance;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.wire.Destination;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real backend and a real frontend in this process, on 127.0.0.1, with one forward per target. */
final class TunnelHarness implements AutoCloseable {
    static final PresharedKey KEY = PresharedKey.fromSpec(PresharedKey.generateSpec(new SecureRandom()));

    final BackendServer backend;
    final FrontendServer frontend;
    final InetSocketAddress backendAddress;
    final List<InetSocketAddress> forwards;

    TunnelHarness(String transport, CipherKind cipher, TunnelSettings overrides, DestinationPolicy policy,
                  InetSocketAddress... targets) throws Exception {
        this(transport, cipher, overrides, policy, ClientAccess.OPEN, targets);
    }

    TunnelHarness(String transport, CipherKind cipher, TunnelSettings overrides, DestinationPolicy policy,
                  ClientAccess access, InetSocketAddress... targets) throws Exception {
        this(transport, cipher, overrides, policy, access, List.of(), targets);
    }

    /** {@link #forwards} lists the forwards' bound addresses, then the entrances'. */
    TunnelHarness(String transport, CipherKind cipher, TunnelSettings overrides, DestinationPolicy policy,
                  ClientAccess access, List<Entrance> entrances, InetSocketAddress... targets) throws Exception {
        IoRuntime io = IoRuntime.detect();
        Transports transports = new Transports(io);
        TunnelSettings settings = overrides != null ? overrides : TunnelSettings.defaults(KEY, cipher);
        InetSocketAddress loopback0 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        backend = new BackendServer(new BackendConfig(loopback0, transport, settings, policy,
                Duration.ofSeconds(3), Duration.ofSeconds(5)), io, transports);
        backendAddress = backend.start();
        List<PortForward> fw = new ArrayList<>();
        for (InetSocketAddress t : targets) {
            fw.add(new PortForward(loopback0, Destination.of(t)));
        }
        frontend = new FrontendServer(new FrontendConfig(backendAddress, transport, settings, fw,
                Duration.ofSeconds(5), Duration.ofSeconds(5), List.of(), access, entrances), io, transports);
        forwards = frontend.start();
    }

    static TunnelHarness simple(InetSocketAddress... targets) throws Exception {
        return new TunnelHarness("tcp", CipherKind.AES_256_GCM, null, DestinationPolicy.allowAll(), targets);
    }

    @Override
    public void close() {
        frontend.close();
        backend.close();
    }
}
