package dev.ferry.frontend.e2e;

import dev.ferry.backend.BackendConfig;
import dev.ferry.backend.BackendServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import dev.ferry.frontend.BackendSpec;
import dev.ferry.frontend.ClientAccess;
import dev.ferry.frontend.Entrance;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.frontend.StatusServer;
import dev.ferry.frontend.socks.SocksUsers;
import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.balance.Balance;
import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.wire.Destination;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several backends behind one frontend, all real, on 127.0.0.1: how new connections are shared by weight, and
 * that a backend that dies stops getting them at once and gets them again when it is back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolTest {
    private static final InetSocketAddress LOOPBACK0 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void weightsOneTwoThreeShareThreeThousandConnections() throws Exception {
        int[] weights = {1, 2, 3};
        try (EchoServer echo = new EchoServer(); Pool p = new Pool(weights.length, Balance.WEIGHTED, weights, echo)) {
            p.awaitAllUp();
            for (int i = 0; i < 3000; i++) {
                p.exchange(i);
            }
            for (int b = 0; b < weights.length; b++) {
                double expected = 3000.0 * weights[b] / 6;
                long got = p.backends.get(b).streamsOpened();
                assertTrue(Math.abs(got - expected) <= expected * 0.10,
                        "backend " + b + " (weight " + weights[b] + ") got " + got + " of 3000, expected ~" + expected);
            }
        }
    }

    @Test
    void theWeightsBackendsReportAreUsedWhenTheFrontendGivesNone() throws Exception {
        try (EchoServer echo = new EchoServer();
             Pool p = new Pool(2, Balance.WEIGHTED, new int[] {0, 0}, new int[] {1, 3}, echo, Duration.ZERO)) {
            p.awaitAllUp();
            for (int i = 0; i < 400; i++) {
                p.exchange(i);
            }
            long light = p.backends.get(0).streamsOpened();
            long heavy = p.backends.get(1).streamsOpened();
            assertTrue(Math.abs(light - 100) <= 10 && Math.abs(heavy - 300) <= 30,
                    "backends reporting weights 1 and 3 got " + light + " and " + heavy + " of 400");
        }
    }

    @Test
    void aBackendThatDiesGetsNoNewConnectionsAndIsUsedAgainWhenBack() throws Exception {
        try (EchoServer echo = new EchoServer();
             Pool p = new Pool(3, Balance.ROUND_ROBIN, new int[] {0, 0, 0}, echo)) {
            p.awaitAllUp();
            for (int i = 0; i < 300; i++) {
                p.exchange(i);
            }
            TunnelClient second = p.frontend.pool().tunnels().get(1);
            long before = p.backends.get(1).streamsOpened();
            assertTrue(before >= 90, "round robin gave the second backend " + before + " of 300");

            try (StatusServer status = new StatusServer(LOOPBACK0, p.frontend.pool())) {
                List<String> rows = statusRows(status);
                assertEquals(4, rows.size(), String.join("\n", rows));
                for (int b = 0; b < 3; b++) {
                    assertTrue(rows.get(b + 1).startsWith(AccessLog.format(p.relays.get(b).address()) + " "),
                            rows.get(b + 1));
                    assertTrue(rows.get(b + 1).contains(" up "), rows.get(b + 1));
                }
                var lost = second.whenDown();
                p.relays.get(1).kill();
                lost.get(10, TimeUnit.SECONDS); // the detection: a reset tunnel is down at once
                assertTrue(statusRows(status).get(2).contains(" down "), "status shows the dead backend down");
            }
            for (int i = 0; i < 300; i++) {
                p.exchange(i); // each must succeed: no new connection waits on, or fails with, the dead one
            }
            assertEquals(before, p.backends.get(1).streamsOpened(), "the dead backend got no stream");

            long upBefore = second.tunnelsEstablished();
            p.relays.get(1).revive();
            second.whenEstablished(upBefore + 1).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 300; i++) {
                p.exchange(i);
            }
            long after = p.backends.get(1).streamsOpened() - before;
            assertTrue(after >= 90, "back in the pool: the second backend got " + after + " of 300");
        }
    }

    @Test
    void aBackendThatGoesSilentLeavesThePoolWithinTheDeadTunnelTime() throws Exception {
        try (EchoServer echo = new EchoServer();
             Pool p = new Pool(2, Balance.ROUND_ROBIN, new int[] {0, 0}, echo)) {
            p.awaitAllUp();
            var dead = p.frontend.pool().tunnels().get(1).whenDown();
            long before = p.backends.get(1).streamsOpened();
            long frozenAt = System.nanoTime();
            p.relays.get(1).freeze();
            dead.get(10, TimeUnit.SECONDS);
            long detectedMillis = (System.nanoTime() - frozenAt) / 1_000_000;
            assertTrue(detectedMillis <= 2_000 + 2_000, "silent for " + detectedMillis + " ms before it was dropped "
                    + "(--dead-after 2s, checked every keepalive interval)");
            for (int i = 0; i < 200; i++) {
                p.exchange(i);
            }
            assertEquals(before, p.backends.get(1).streamsOpened(), "the silent backend got no stream");
        }
    }

    @Test
    void unreachableAndWrongKeyBackendsLeaveTheOthersToCarryOn() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        IoRuntime io = IoRuntime.detect();
        Transports transports = new Transports(io);
        TunnelSettings settings = TunnelSettings.defaults(TunnelHarness.KEY, CipherKind.AES_256_GCM)
                .withTimings(Duration.ofMillis(100), Duration.ofSeconds(2));
        TunnelSettings otherKey = TunnelSettings.defaults(dev.ferry.crypto.PresharedKey.fromSpec(
                dev.ferry.crypto.PresharedKey.generateSpec(new java.security.SecureRandom())), CipherKind.AES_256_GCM);
        BackendServer good = new BackendServer(new BackendConfig(LOOPBACK0, "tcp", settings,
                DestinationPolicy.allowAll(), Duration.ofSeconds(3), Duration.ofSeconds(5)), io, transports);
        BackendServer wrongKey = new BackendServer(new BackendConfig(LOOPBACK0, "tcp", otherKey,
                DestinationPolicy.allowAll(), Duration.ofSeconds(3), Duration.ofSeconds(5)), io, transports);
        try (EchoServer echo = new EchoServer()) {
            List<BackendSpec> specs = List.of(
                    BackendSpec.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort)),
                    BackendSpec.of(wrongKey.start()), BackendSpec.of(good.start()));
            FrontendServer fe = new FrontendServer(new FrontendConfig(specs, "tcp", settings,
                    List.of(new PortForward(LOOPBACK0, Destination.of(echo.address()))), Duration.ofSeconds(5),
                    Duration.ofSeconds(5), List.of(), ClientAccess.OPEN, List.of(), 1, Balance.ROUND_ROBIN), io,
                    transports);
            try {
                InetSocketAddress forward = fe.start().get(0);
                for (int i = 0; i < 100; i++) {
                    exchange(forward, i); // the first ones wait (bounded) for the good backend's tunnel
                }
                assertEquals(100, good.streamsOpened());
                assertEquals(0, wrongKey.streamsOpened());
            } finally {
                fe.close();
            }
        } finally {
            good.close();
            wrongKey.close();
        }
    }

    @Test
    void withEveryBackendDownANewConnectionWaitsItsBoundThenCloses() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        IoRuntime io = IoRuntime.detect();
        TunnelSettings settings = TunnelSettings.defaults(TunnelHarness.KEY, CipherKind.AES_256_GCM);
        List<BackendSpec> specs = List.of(BackendSpec.of(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                closedPort)), BackendSpec.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort + 1)));
        FrontendServer fe = new FrontendServer(new FrontendConfig(specs, "tcp", settings,
                List.of(new PortForward(LOOPBACK0, Destination.parse("127.0.0.1", 9))), Duration.ofMillis(500),
                Duration.ofSeconds(1), List.of(), ClientAccess.OPEN, List.of(), 1, Balance.WEIGHTED), io,
                new Transports(io));
        try {
            InetSocketAddress forward = fe.start().get(0);
            try (Socket s = new Socket(forward.getAddress(), forward.getPort())) {
                s.setSoTimeout(10_000);
                long t0 = System.nanoTime();
                assertEquals(-1, s.getInputStream().read(), "closed, no bytes");
                long waited = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(waited >= 400 && waited < 5_000, "waited " + waited + " ms for --open-wait 500ms");
            }
        } finally {
            fe.close();
        }
    }

    @Test
    void lowestRttSendsNearlyEveryStreamToTheNearerBackend() throws Exception {
        try (EchoServer echo = new EchoServer();
             Pool p = new Pool(2, Balance.LOWEST_RTT, new int[] {0, 0}, echo, Duration.ofMillis(40))) {
            p.awaitAllUp();
            for (TunnelClient t : p.frontend.pool().tunnels()) {
                t.health().whenMeasured(3).get(20, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 200; i++) {
                p.exchange(i);
            }
            long near = p.backends.get(0).streamsOpened();
            long far = p.backends.get(1).streamsOpened();
            assertTrue(near >= 190, "the backend 80 ms further away got " + far + " of 200, the near one " + near);
        }
    }

    @Test
    void aDrainingBackendGetsNoNewStreamsAndCutsNone() throws Exception {
        try (EchoServer echo = new EchoServer();
             Pool p = new Pool(2, Balance.ROUND_ROBIN, new int[] {0, 0}, echo)) {
            p.awaitAllUp();
            // A long stream on the second backend (round robin: the second connection).
            p.exchange(0);
            Socket longStream = new Socket(p.forward.getAddress(), p.forward.getPort());
            longStream.setSoTimeout(10_000);
            roundTrip(longStream, 1);
            assertEquals(1, p.backends.get(1).streamsOpened(), "the long stream is on the second backend");

            TunnelClient second = p.frontend.pool().tunnels().get(1);
            var retired = second.whenDown();
            BackendServer draining = p.backends.get(1);
            var drained = java.util.concurrent.CompletableFuture.runAsync(() -> draining.drain(Duration.ofSeconds(30)),
                    java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            retired.get(10, TimeUnit.SECONDS); // its GO_AWAY arrived: new streams go elsewhere
            for (int i = 0; i < 100; i++) {
                p.exchange(i);
            }
            assertEquals(1, draining.streamsOpened(), "the draining backend got no new stream");
            roundTrip(longStream, 2); // the stream it had carries on
            roundTrip(longStream, 3);
            assertTrue(!drained.isDone(), "the drain waits for the open stream");
            longStream.close();
            drained.get(20, TimeUnit.SECONDS); // and ends once it is done, well before its 30 s
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "client half-closed first: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void anOpenWhoseTunnelDiesBeforeItIsAnsweredIsMadeAgainOnAnotherBackend(boolean halfClosed) throws Exception {
        try (EchoServer echo = new EchoServer();
             Pool p = new Pool(2, Balance.ROUND_ROBIN, new int[] {0, 0}, echo);
             ServerSocket stall = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            p.awaitAllUp();
            p.exchange(0); // round robin: this one to the first backend, the next to the second
            // A destination whose accept queue is full: a connect to it hangs (the kernel drops the SYN), so the
            // second backend cannot answer the open before its tunnel is killed.
            List<Socket> queued = List.of(new Socket(stall.getInetAddress(), stall.getLocalPort()),
                    new Socket(stall.getInetAddress(), stall.getLocalPort()));
            try (SocksWire c = new SocksWire(p.socks, 20_000)) {
                assertEquals(0, c.greetNoAuth());
                c.request(SocksWire.CONNECT, (InetSocketAddress) stall.getLocalSocketAddress());
                p.backends.get(1).whenStreamsOpened(1).get(10, TimeUnit.SECONDS);
                if (halfClosed) {
                    c.socket.shutdownOutput(); // its FIN must reach the destination through the open made again
                }
                p.relays.get(1).kill();
                // From now on the destination takes connections (and echoes): the open made again gets through.
                Thread server = Thread.ofVirtual().start(() -> echoAll(stall));
                SocksWire.Reply r = c.reply();
                assertEquals(0, r.status(), "the client never saw the lost open");
                assertEquals(2, p.backends.get(0).streamsOpened(), "the open went again, to the first backend");
                if (halfClosed) {
                    assertTrue(c.closedWithoutData(), "the destination got the FIN and closed");
                } else {
                    roundTrip(c.socket, 7);
                }
                server.interrupt();
            } finally {
                for (Socket q : queued) {
                    q.close();
                }
            }
        }
    }

    @Test
    void anOpenThatCrossesTheBackendsGoAwayIsMadeAgainElsewhereWithItsBytes() throws Exception {
        // The second backend is 200 ms away each way: an open sent to it, then a drain begun at once, meet there
        // after its GO_AWAY left, so it refuses the open (unseen) while the frontend learns of the drain.
        try (EchoServer echo = new EchoServer();
             Pool p = new Pool(2, Balance.ROUND_ROBIN, new int[] {0, 0}, echo, Duration.ofMillis(200))) {
            p.awaitAllUp();
            p.exchange(0); // to the first; the next goes to the second
            BackendServer far = p.backends.get(1);
            try (Socket s = new Socket(p.forward.getAddress(), p.forward.getPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(42); // the open's first byte
                s.getOutputStream().flush();
                var drained = java.util.concurrent.CompletableFuture.runAsync(() -> far.drain(Duration.ofSeconds(5)),
                        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
                assertEquals(42, s.getInputStream().read(), "echoed through the other backend");
                assertEquals(0, far.streamsOpened(), "the draining backend never opened it");
                assertEquals(2, p.backends.get(0).streamsOpened());
                drained.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void echoAll(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException ignored) {
                        // closed
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One fresh connection through the frontend: a byte out, the same byte back. */
    static void exchange(InetSocketAddress forward, int i) throws IOException {
        try (Socket s = new Socket(forward.getAddress(), forward.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(i & 0x7F);
            out.flush();
            assertEquals(i & 0x7F, in.read(), "connection " + i);
        }
    }

    /** {@code GET /status}, as {@code ferry status} does, cut into lines: a header, then a row per backend. */
    private static List<String> statusRows(StatusServer status) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://"
                        + AccessLog.format(status.address()) + "/status")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return List.of(r.body().split("\n"));
    }

    private static void roundTrip(Socket s, int i) throws IOException {
        s.getOutputStream().write(i);
        s.getOutputStream().flush();
        assertEquals(i, s.getInputStream().read());
    }

    /** Backends, each behind a killable relay, and a frontend balancing over them with one forward to an echo. */
    private static final class Pool implements AutoCloseable {
        final List<BackendServer> backends = new ArrayList<>();
        final List<KillableRelay> relays = new ArrayList<>();
        final FrontendServer frontend;
        final InetSocketAddress forward;
        final InetSocketAddress socks;

        final List<DelayRelay> delays = new ArrayList<>();

        Pool(int n, Balance balance, int[] weights, EchoServer echo) throws Exception {
            this(n, balance, weights, echo, Duration.ZERO);
        }

        Pool(int n, Balance balance, int[] weights, EchoServer echo, Duration lastFurther) throws Exception {
            this(n, balance, weights, null, echo, lastFurther);
        }

        /**
         * {@code weights}: the frontend's (0: as reported); {@code reported}: the backends' own ({@code --weight}),
         * null for 1 each. The last backend is {@code lastFurther} further away, each way.
         */
        Pool(int n, Balance balance, int[] weights, int[] reported, EchoServer echo, Duration lastFurther)
                throws Exception {
            IoRuntime io = IoRuntime.detect();
            Transports transports = new Transports(io);
            TunnelSettings settings = TunnelSettings.defaults(TunnelHarness.KEY, CipherKind.AES_256_GCM)
                    .withTimings(Duration.ofMillis(100), Duration.ofSeconds(2));
            List<BackendSpec> specs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                BackendServer b = new BackendServer(new BackendConfig(LOOPBACK0, "tcp", settings,
                        DestinationPolicy.allowAll(), Duration.ofSeconds(3), Duration.ofSeconds(5),
                        reported == null ? 1 : reported[i]), io, transports);
                backends.add(b);
                InetSocketAddress address = b.start();
                if (i == n - 1 && !lastFurther.isZero()) {
                    DelayRelay d = new DelayRelay(address, lastFurther);
                    delays.add(d);
                    address = d.address();
                }
                KillableRelay r = new KillableRelay(address);
                relays.add(r);
                specs.add(new BackendSpec(r.address(), weights[i]));
            }
            frontend = new FrontendServer(new FrontendConfig(specs, "tcp", settings,
                    List.of(new PortForward(LOOPBACK0, Destination.of(echo.address()))), Duration.ofSeconds(5),
                    Duration.ofSeconds(5), List.of(), ClientAccess.OPEN,
                    List.of(new Entrance.Socks(LOOPBACK0, SocksUsers.NONE)), 1, balance), io, transports);
            List<InetSocketAddress> bound = frontend.start();
            forward = bound.get(0);
            socks = bound.get(1);
        }

        void awaitAllUp() throws Exception {
            for (TunnelClient t : frontend.pool().tunnels()) {
                t.whenEstablished(1).get(20, TimeUnit.SECONDS);
            }
        }

        void exchange(int i) throws IOException {
            PoolTest.exchange(forward, i);
        }

        @Override
        public void close() throws IOException {
            frontend.close();
            for (KillableRelay r : relays) {
                r.close();
            }
            for (DelayRelay d : delays) {
                d.close();
            }
            for (BackendServer b : backends) {
                b.close();
            }
        }
    }
}
