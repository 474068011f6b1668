package dev.ferry.frontend.e2e;

import dev.ferry.backend.BackendConfig;
import dev.ferry.backend.BackendServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.wire.Destination;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A kcp backend that closes while a frontend's session is open frees its UDP port at once, so it can be restarted on
 * the same port (regression: its socket used to stay bound, still receiving the frontend's packets, because the
 * session lingered and the event loop's shutdown does not close it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KcpBackendCloseTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void closedBackendFreesItsPortWhileAFrontendIsConnected() throws Exception {
        IoRuntime io = IoRuntime.detect();
        Transports transports = new Transports(io);
        TunnelSettings settings = TunnelSettings.defaults(TunnelHarness.KEY, CipherKind.AES_256_GCM);
        for (int round = 0; round < 5; round++) {
            try (EchoServer echo = new EchoServer()) {
                BackendServer backend = new BackendServer(new BackendConfig(ANY, "kcp", settings,
                        DestinationPolicy.allowAll(), Duration.ofSeconds(2), Duration.ofSeconds(1)), io, transports);
                InetSocketAddress port = backend.start();
                FrontendServer frontend = new FrontendServer(new FrontendConfig(port, "kcp", settings,
                        List.of(new PortForward(ANY, Destination.of(echo.address()))), Duration.ofSeconds(5),
                        Duration.ofSeconds(1)), io, transports);
                try {
                    frontend.start();
                    frontend.tunnel().whenEstablished(1).get(10, TimeUnit.SECONDS);
                    backend.close();
                    try (DatagramSocket again = new DatagramSocket(port)) {
                        // bound: the port was free
                    } catch (java.net.BindException e) {
                        throw new AssertionError("round " + round + ": UDP port " + port + " still bound after close", e);
                    }
                } finally {
                    frontend.close();
                    backend.close();
                }
            }
        }
    }
}
