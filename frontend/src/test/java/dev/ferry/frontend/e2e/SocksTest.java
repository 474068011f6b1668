package dev.ferry.frontend.e2e;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import dev.ferry.frontend.ClientAccess;
import dev.ferry.frontend.Entrance;
import dev.ferry.frontend.socks.SocksUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --socks}: curl (a client nobody here wrote) fetches a file through the SOCKS5 entrance, with and without a
 * login; a raw client sends what curl never would, and each malformed request gets its RFC 1928 reply or a close
 * while a stream opened before keeps echoing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SocksTest {
    private static final long SEED = Long.getLong("ferry.test.seed", System.nanoTime());
    private static final InetSocketAddress LOOPBACK0 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static byte[] file;
    private static HttpServer http;

    @BeforeAll
    static void serveFile() throws IOException {
        file = new byte[4 << 20];
        new SplittableRandom(SEED).nextBytes(file);
        http = HttpServer.create(LOOPBACK0, 64);
        http.createContext("/file", ex -> {
            ex.sendResponseHeaders(200, file.length);
            try (var out = ex.getResponseBody()) {
                out.write(file);
            }
        });
        http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        http.start();
    }

    @AfterAll
    static void stop() {
        http.stop(0);
    }

    private static TunnelHarness socks(SocksUsers users, Duration handshake) throws Exception {
        return socks(users, handshake, false);
    }

    private static TunnelHarness socks(SocksUsers users, Duration handshake, boolean fastOpen) throws Exception {
        return new TunnelHarness("tcp", CipherKind.AES_256_GCM, null, DestinationPolicy.allowAll(), ClientAccess.OPEN,
                List.of(new Entrance.Socks(LOOPBACK0, users, handshake, fastOpen)));
    }

    @Test
    void curlFetchesAFileByNameThroughTheSocksEntrance(@TempDir Path dir) throws Exception {
        requireCurl();
        try (TunnelHarness h = socks(SocksUsers.NONE, Duration.ofSeconds(10))) {
            InetSocketAddress proxy = h.forwards.get(0);
            List<Process> curls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // --socks5-hostname: curl sends the name "localhost", the backend resolves it.
                curls.add(curl("--socks5-hostname", "127.0.0.1:" + proxy.getPort(), "-o",
                        dir.resolve("out" + i).toString(),
                        "http://localhost:" + http.getAddress().getPort() + "/file"));
            }
            for (int i = 0; i < curls.size(); i++) {
                assertEquals("", finish(curls.get(i), 0));
                assertEquals(sha256(file), sha256(Files.readAllBytes(dir.resolve("out" + i))), "seed " + SEED);
            }
        }
    }

    @Test
    void curlLogsInAndAWrongPasswordIsRefused(@TempDir Path dir) throws Exception {
        requireCurl();
        SocksUsers users = SocksUsers.parse(List.of("# users", "alice:s3cret:with:colons", "bob:hunter2"));
        try (TunnelHarness h = socks(users, Duration.ofSeconds(10))) {
            String proxy = "127.0.0.1:" + h.forwards.get(0).getPort();
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/file";
            Path out = dir.resolve("out");
            assertEquals("", finish(curl("--socks5", proxy, "--proxy-user", "alice:s3cret:with:colons", "-o",
                    out.toString(), url), 0));
            assertEquals(sha256(file), sha256(Files.readAllBytes(out)), "seed " + SEED);
            // curl exits 97 (proxy handshake failed) when the login is refused or none is offered.
            finish(curl("--socks5", proxy, "--proxy-user", "alice:wrong", "-o", dir.resolve("x").toString(), url), 97);
            finish(curl("--socks5", proxy, "-o", dir.resolve("y").toString(), url), 97);
        }
    }

    @Test
    void curlThroughHttpConnectOnTheSamePortWithAndWithoutALogin(@TempDir Path dir) throws Exception {
        requireCurl();
        String url = "http://localhost:" + http.getAddress().getPort() + "/file";
        try (TunnelHarness h = socks(SocksUsers.NONE, Duration.ofSeconds(10))) {
            String proxy = "http://127.0.0.1:" + h.forwards.get(0).getPort();
            Path out = dir.resolve("open");
            // -p: curl tunnels even an http:// URL through CONNECT.
            assertEquals("", finish(curl("-p", "-x", proxy, "-o", out.toString(), url), 0));
            assertEquals(sha256(file), sha256(Files.readAllBytes(out)), "seed " + SEED);
        }
        SocksUsers users = SocksUsers.parse(List.of("alice:s3cret"));
        try (TunnelHarness h = socks(users, Duration.ofSeconds(10))) {
            String proxy = "http://127.0.0.1:" + h.forwards.get(0).getPort();
            Path out = dir.resolve("login");
            assertEquals("", finish(curl("-p", "-x", proxy, "--proxy-user", "alice:s3cret", "-o", out.toString(),
                    url), 0));
            assertEquals(sha256(file), sha256(Files.readAllBytes(out)), "seed " + SEED);
            // 407 without the right login: curl reports the proxy's refusal (exit 56).
            finish(curl("-p", "-x", proxy, "--proxy-user", "alice:wrong", "-o", dir.resolve("x").toString(), url),
                    56);
        }
    }

    @Test
    void httpRequestsOtherThanConnectAreRefused() throws Exception {
        try (TunnelHarness h = socks(SocksUsers.NONE, Duration.ofSeconds(10));
             SocksWire c = new SocksWire(h.forwards.get(0), 5_000)) {
            c.out.write("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n".getBytes());
            c.out.flush();
            String status = new String(c.in.readNBytes(12));
            assertEquals("HTTP/1.1 405", status);
        }
        try (TunnelHarness h = socks(SocksUsers.NONE, Duration.ofSeconds(10));
             SocksWire c = new SocksWire(h.forwards.get(0), 5_000)) {
            c.out.write("CONNECT nowhere HTTP/1.1\r\n\r\n".getBytes());
            c.out.flush();
            assertEquals("HTTP/1.1 400", new String(c.in.readNBytes(12)));
        }
    }

    @Test
    void malformedRequestsGetTheirReplyAndOtherStreamsCarryOn() throws Exception {
        try (EchoServer echo = new EchoServer();
             TunnelHarness h = socks(SocksUsers.NONE, Duration.ofMillis(500));
             SocksWire good = new SocksWire(h.forwards.get(0), 10_000)) {
            InetSocketAddress proxy = h.forwards.get(0);
            assertEquals(0, good.greetNoAuth());
            good.request(SocksWire.CONNECT, echo.address());
            assertEquals(0, good.reply().status());
            assertEchoes(good, 1);

            // Not SOCKS5 (a SOCKS4 CONNECT): closed without a reply.
            try (SocksWire c = new SocksWire(proxy, 5_000)) {
                c.send(4, 1, 0, 80, 127, 0, 0, 1, 0);
                assertTrue(c.closedWithoutData());
            }
            // Only an auth method this server does not take: "no acceptable methods", then closed.
            try (SocksWire c = new SocksWire(proxy, 5_000)) {
                c.send(5, 1, 2);
                assertEquals(0xFF, c.methodReply());
                assertTrue(c.closedWithoutData());
            }
            // BIND and an unknown command: "command not supported".
            for (int command : new int[] {SocksWire.BIND, 9}) {
                try (SocksWire c = new SocksWire(proxy, 5_000)) {
                    assertEquals(0, c.greetNoAuth());
                    c.request(command, echo.address());
                    assertEquals(7, c.reply().status(), "command " + command);
                    assertTrue(c.closedWithoutData());
                }
            }
            // An unknown address type: "address type not supported".
            try (SocksWire c = new SocksWire(proxy, 5_000)) {
                assertEquals(0, c.greetNoAuth());
                c.send(5, 1, 0, 7, 1, 2, 3, 4, 0, 80);
                assertEquals(8, c.reply().status());
                assertTrue(c.closedWithoutData());
            }
            // Names DNS does not allow: 255 characters (the most one length byte says) in labels of 63, and one
            // label of 64.
            String label = "a".repeat(63);
            for (String name : List.of(String.join(".", label, label, label, label), "b".repeat(64) + ".example")) {
                try (SocksWire c = new SocksWire(proxy, 5_000)) {
                    assertEquals(0, c.greetNoAuth());
                    c.requestDomain(SocksWire.CONNECT, name, 80);
                    assertEquals(8, c.reply().status(), name);
                    assertTrue(c.closedWithoutData());
                }
            }
            // A request cut short: closed, without a reply, when the handshake time runs out.
            try (SocksWire c = new SocksWire(proxy, 5_000)) {
                assertEquals(0, c.greetNoAuth());
                c.send(5, 1, 0, 1, 127);
                assertTrue(c.closedWithoutData());
            }
            // A greeting cut short: the same.
            try (SocksWire c = new SocksWire(proxy, 5_000)) {
                c.send(5, 3, 0);
                assertTrue(c.closedWithoutData());
            }
            assertEchoes(good, 2);
        }
    }

    @Test
    void theBackendsOpenResultBecomesTheSocksReply() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (TunnelHarness h = socks(SocksUsers.NONE, Duration.ofSeconds(10));
             SocksWire c = new SocksWire(h.forwards.get(0), 10_000)) {
            assertEquals(0, c.greetNoAuth());
            c.request(SocksWire.CONNECT, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort));
            SocksWire.Reply r = c.reply();
            assertEquals(5, r.version());
            assertEquals(5, r.status(), "connection refused");
            assertTrue(c.closedWithoutData());
        }
    }

    @Test
    void withFastOpenTheReplyComesAtOnceAndAFailedOpenClosesTheConnection(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (EchoServer echo = new EchoServer();
             TunnelHarness h = socks(SocksUsers.NONE, Duration.ofSeconds(10), true)) {
            // Success before the backend could know: the destination refuses, and only the close tells.
            try (SocksWire c = new SocksWire(h.forwards.get(0), 10_000)) {
                assertEquals(0, c.greetNoAuth());
                c.request(SocksWire.CONNECT, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort));
                assertEquals(0, c.reply().status(), "fast open answers success at once");
                assertTrue(c.closedWithoutData());
            }
            try (SocksWire c = new SocksWire(h.forwards.get(0), 10_000)) {
                assertEquals(0, c.greetNoAuth());
                c.request(SocksWire.CONNECT, echo.address());
                assertEquals(0, c.reply().status());
                assertEchoes(c, 1);
            }
            if (CurlThroughTunnelTest.onPath("curl")) {
                Path out = dir.resolve("out");
                assertEquals("", finish(curl("--socks5-hostname", "127.0.0.1:" + h.forwards.get(0).getPort(), "-o",
                        out.toString(), "http://localhost:" + http.getAddress().getPort() + "/file"), 0));
                assertEquals(sha256(file), sha256(Files.readAllBytes(out)), "seed " + SEED);
            }
        }
    }

    @Test
    void aClientThatHalfClosesRightBehindItsRequestStillGetsItsAnswer() throws Exception {
        for (boolean fastOpen : new boolean[] {false, true}) {
            try (EchoServer echo = new EchoServer();
                 TunnelHarness h = socks(SocksUsers.NONE, Duration.ofSeconds(10), fastOpen);
                 SocksWire c = new SocksWire(h.forwards.get(0), 10_000)) {
                byte[] ip = echo.address().getAddress().getAddress();
                int port = echo.address().getPort();
                // Everything at once, then FIN: epoll reads it all before the bridge has its tunnel.
                c.send(5, 1, 0, 5, 1, 0, 1, ip[0] & 0xFF, ip[1] & 0xFF, ip[2] & 0xFF, ip[3] & 0xFF, port >> 8,
                        port & 0xFF, 'b', 'y', 'e');
                c.socket.shutdownOutput();
                assertEquals(0, c.methodReply());
                assertEquals(0, c.reply().status(), "fast open " + fastOpen);
                assertArrayEquals("bye".getBytes(), c.in.readNBytes(3), "fast open " + fastOpen);
                assertTrue(c.closedWithoutData(), "the echo server's FIN comes through");
            }
        }
    }

    @Test
    void dataSentRightBehindTheRequestIsNotLost() throws Exception {
        try (EchoServer echo = new EchoServer();
             TunnelHarness h = socks(SocksUsers.NONE, Duration.ofSeconds(10));
             SocksWire c = new SocksWire(h.forwards.get(0), 10_000)) {
            // Greeting, request and the first payload in one write, as optimistic clients send them.
            byte[] ip = echo.address().getAddress().getAddress();
            int port = echo.address().getPort();
            c.send(5, 1, 0, 5, 1, 0, 1, ip[0] & 0xFF, ip[1] & 0xFF, ip[2] & 0xFF, ip[3] & 0xFF, port >> 8, port & 0xFF,
                    'h', 'i');
            assertEquals(0, c.methodReply());
            assertEquals(0, c.reply().status());
            assertArrayEquals("hi".getBytes(), c.in.readNBytes(2));
        }
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"tcp", "kcp"})
    void udpAssociateCarriesDatagramsBothWaysForItsClientOnly(String transport) throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        try (UdpEchoServer echo = new UdpEchoServer();
             TunnelHarness h = new TunnelHarness(transport, CipherKind.AES_256_GCM, null,
                     DestinationPolicy.allowAll(), ClientAccess.OPEN,
                     List.of(new Entrance.Socks(LOOPBACK0, SocksUsers.NONE)));
             SocksWire control = new SocksWire(h.forwards.get(0), 10_000);
             DatagramSocket client = new DatagramSocket(LOOPBACK0);
             DatagramSocket stranger = new DatagramSocket(LOOPBACK0)) {
            assertEquals(0, control.greetNoAuth());
            control.request(SocksWire.UDP_ASSOCIATE, new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            SocksWire.Reply r = control.reply();
            assertEquals(0, r.status());
            InetSocketAddress relay = r.bound();
            client.setSoTimeout(5_000);
            for (int i = 0; i < 50; i++) {
                byte[] payload = new byte[1 + random.nextInt(1200)];
                random.nextBytes(payload);
                client.send(packet(SocksUdp.wrap(echo.address(), payload), relay));
                // One datagram may be lost on the way (UDP over kcp is not retransmitted); loopback loses none.
                SocksUdp reply = SocksUdp.receive(client);
                assertEquals(echo.address(), reply.from(), "the reply names who sent it");
                assertArrayEquals(payload, reply.payload(), "seed " + SEED);
            }
            // To a name the backend resolves.
            client.send(packet(SocksUdp.wrapDomain("localhost", echo.address().getPort(),
                    "by name".getBytes()), relay));
            assertArrayEquals("by name".getBytes(), SocksUdp.receive(client).payload());

            // A stranger's datagram and a malformed one are dropped; the client's next one still goes.
            stranger.setSoTimeout(300);
            stranger.send(packet(SocksUdp.wrap(echo.address(), "not mine".getBytes()), relay));
            client.send(new DatagramPacket(new byte[] {0, 0, 1}, 3, relay));
            client.send(packet(SocksUdp.wrap(echo.address(), "after".getBytes()), relay));
            assertArrayEquals("after".getBytes(), SocksUdp.receive(client).payload());
            assertThrows(SocketTimeoutException.class, () -> stranger.receive(new DatagramPacket(new byte[64], 64)));

            // The association ends with its TCP connection: its UDP port closes (the kernel answers port
            // unreachable to a connected socket).
            control.close();
            client.connect(relay);
            client.setSoTimeout(200);
            boolean closed = false;
            for (int i = 0; i < 50 && !closed; i++) {
                try {
                    client.send(packet(SocksUdp.wrap(echo.address(), "late".getBytes()), relay));
                    client.receive(new DatagramPacket(new byte[2048], 2048));
                } catch (PortUnreachableException e) {
                    closed = true;
                } catch (SocketTimeoutException e) {
                    // not closed yet: try again (bounded)
                }
            }
            assertTrue(closed, "the association's UDP socket is still open after its TCP connection closed");
        }
    }

    private static DatagramPacket packet(byte[] data, InetSocketAddress to) {
        return new DatagramPacket(data, data.length, to);
    }

    private static void assertEchoes(SocksWire c, int round) throws IOException {
        byte[] msg = ("round " + round + " through the tunnel").getBytes();
        c.out.write(msg);
        c.out.flush();
        assertArrayEquals(msg, c.in.readNBytes(msg.length));
    }

    private static void requireCurl() {
        Assumptions.assumeTrue(CurlThroughTunnelTest.onPath("curl"),
                "SKIPPED: curl is not installed (./test.sh installs it as root)");
    }

    private static Process curl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Waits for {@code p}, asserts its exit code, returns its output. */
    private static String finish(Process p, int exit) throws Exception {
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "curl did not finish");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(exit, p.exitValue(), "curl: " + out);
        if (exit != 0) {
            assertNotEquals("", out);
        }
        return out;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
