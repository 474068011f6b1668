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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Outages, reconnects and dead-tunnel detection with real sockets. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ControlPlaneTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final IoRuntime io = IoRuntime.detect();
    private final Transports transports = new Transports(io);
    private final TunnelSettings fast = TunnelSettings.defaults(TunnelHarness.KEY, CipherKind.AES_256_GCM)
            .withTimings(Duration.ofMillis(200), Duration.ofMillis(1000));

    @Test
    void connectionDuringAnOutageWaitsABoundedTimeThenClosesCleanly() throws Exception {
        InetSocketAddress nobody = freePort();
        FrontendServer fe = new FrontendServer(new FrontendConfig(nobody, "tcp", fast,
                List.of(new PortForward(ANY, Destination.parse("127.0.0.1", 9))), Duration.ofMillis(500),
                Duration.ofSeconds(1)), io, transports);
        try {
            InetSocketAddress fwd = fe.start().get(0);
            try (Socket c = new Socket(fwd.getAddress(), fwd.getPort())) {
                long t0 = System.nanoTime();
                c.setSoTimeout(5_000);
                try {
                    assertEquals(-1, c.getInputStream().read(), "no byte without a tunnel");
                } catch (SocketException reset) {
                    // closed: fine
                } catch (SocketTimeoutException e) {
                    fail("connection still open 5 s into an outage; the bound is 500 ms");
                }
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(waited >= 400, "closed after " + waited + " ms, before the open-wait bound");
            }
        } finally {
            fe.close();
        }
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"tcp", "kcp"})
    void frontendReconnectsAfterTheBackendRestarts(String transport) throws Exception {
        try (EchoServer echo = new EchoServer()) {
            BackendServer be = backend(transport, ANY);
            InetSocketAddress beAddr = be.start();
            FrontendServer fe = frontend(transport, beAddr, echo.address());
            try {
                InetSocketAddress fwd = fe.start().get(0);
                echoOnce(fwd);
                be.close(); // abrupt: the tunnel dies
                be = backend(transport, beAddr);
                be.start(); // same address
                fe.tunnel().whenEstablished(2).get(30, TimeUnit.SECONDS);
                echoOnce(fwd);
            } finally {
                fe.close();
                be.close();
            }
        }
    }

    @Test
    void silentBackendIsDetectedAndTheTunnelReplaced() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            BackendServer be = backend("tcp", ANY);
            InetSocketAddress beAddr = be.start();
            try (FreezableRelay relay = new FreezableRelay(beAddr)) {
                FrontendServer fe = frontend("tcp", relay.address(), echo.address());
                try {
                    InetSocketAddress fwd = fe.start().get(0);
                    echoOnce(fwd);
                    relay.freeze(); // the path goes silent; nothing is closed
                    long t0 = System.nanoTime();
                    fe.tunnel().whenEstablished(2).get(30, TimeUnit.SECONDS);
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    assertTrue(took >= 900, "replaced after " + took + " ms: before the dead-tunnel time?");
                    echoOnce(fwd);
                } finally {
                    fe.close();
                }
            } finally {
                be.close();
            }
        }
    }

    private BackendServer backend(String transport, InetSocketAddress at) {
        return new BackendServer(new BackendConfig(at, transport, fast, DestinationPolicy.allowAll(),
                Duration.ofSeconds(2), Duration.ofSeconds(1)), io, transports);
    }

    private FrontendServer frontend(String transport, InetSocketAddress server, InetSocketAddress target) {
        return new FrontendServer(new FrontendConfig(server, transport, fast,
                List.of(new PortForward(ANY, Destination.of(target))), Duration.ofSeconds(10),
                Duration.ofSeconds(1)), io, transports);
    }

    private static void echoOnce(InetSocketAddress fwd) throws Exception {
        try (Socket c = new Socket(fwd.getAddress(), fwd.getPort())) {
            c.setSoTimeout(20_000);
            byte[] msg = "ping through the tunnel".getBytes();
            c.getOutputStream().write(msg);
            assertArrayEquals(msg, c.getInputStream().readNBytes(msg.length));
        }
    }

    private static InetSocketAddress freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }
}
