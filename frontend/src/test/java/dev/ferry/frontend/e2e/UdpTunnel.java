package dev.ferry.frontend.e2e;

import dev.ferry.backend.BackendConfig;
import dev.ferry.backend.BackendServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import dev.ferry.frontend.ClientAccess;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.wire.Destination;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real backend and frontend in this process with one {@code -U} forward to {@code target}, its tunnel up. */
final class UdpTunnel implements AutoCloseable {
    final BackendServer backend;
    final FrontendServer frontend;
    /** Where the {@code -U} forward listens. */
    final InetSocketAddress forward;

    UdpTunnel(String transport, InetSocketAddress target) throws Exception {
        this(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, ClientAccess.OPEN);
    }

    UdpTunnel(String transport, InetSocketAddress bind, InetSocketAddress target, ClientAccess access)
            throws Exception {
        IoRuntime io = IoRuntime.detect();
        Transports transports = new Transports(io);
        TunnelSettings settings = TunnelSettings.defaults(TunnelHarness.KEY, CipherKind.AES_256_GCM);
        backend = new BackendServer(new BackendConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                transport, settings, DestinationPolicy.allowAll(), Duration.ofSeconds(3), Duration.ofSeconds(5)), io,
                transports);
        InetSocketAddress backendAddress = backend.start();
        frontend = new FrontendServer(new FrontendConfig(backendAddress, transport, settings, List.of(),
                Duration.ofSeconds(5), Duration.ofSeconds(5), List.of(new PortForward(bind, Destination.of(target))),
                access), io, transports);
        try {
            forward = frontend.start().get(0);
            frontend.tunnel().whenEstablished(1).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        frontend.close();
        backend.close();
    }
}
