package dev.ferry.frontend.e2e;

import dev.ferry.backend.DestinationPolicy;
import dev.ferry.frontend.ClientAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -U}: UDP datagrams through a real frontend and backend to a UDP echo server and back, from several client
 * sockets at once; every reply must be the client's own datagram, returned to that client.
 */
class UdpForwardTest {
    private static final long SEED = Long.getLong("ferry.test.seed", System.nanoTime());
    private static final int CLIENTS = 4;
    private static final int DATAGRAMS = 200;

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"tcp", "kcp", "udp"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void datagramsComeBackToTheirSender(String transport) throws Exception {
        try (UdpEchoServer echo = new UdpEchoServer();
             UdpTunnel t = new UdpTunnel(transport, echo.address());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long seed = SEED + c;
                results.add(pool.submit(() -> exchange(t.forward, seed)));
            }
            for (Future<Integer> r : results) {
                assertEquals(DATAGRAMS, r.get(60, TimeUnit.SECONDS), "seed " + SEED + " over " + transport);
            }
            assertEquals(CLIENTS, echo.senders.size(),
                    "one backend socket per client flow, seen by the echo server as its own sender");
            assertTrue(echo.senders.stream().noneMatch(a -> a.equals(t.forward)),
                    "the echo server hears the backend, not the client");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void datagramsFromADeniedClientAreDroppedAndOthersStillGo() throws Exception {
        ClientAccess access = new ClientAccess(DestinationPolicy.of(List.of(), List.of("127.0.0.2")), 0, 0);
        try (UdpEchoServer echo = new UdpEchoServer();
             UdpTunnel t = new UdpTunnel("tcp", new InetSocketAddress("0.0.0.0", 0), echo.address(), access);
             DatagramSocket denied = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
             DatagramSocket allowed = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress forward = new InetSocketAddress("127.0.0.1", t.forward.getPort());
            denied.setSoTimeout(300);
            allowed.setSoTimeout(5_000);
            byte[] no = "from a denied client".getBytes();
            denied.send(new DatagramPacket(no, no.length, forward));
            byte[] yes = "from an allowed client".getBytes();
            allowed.send(new DatagramPacket(yes, yes.length, forward));
            DatagramPacket reply = new DatagramPacket(new byte[256], 256);
            allowed.receive(reply);
            assertArrayEquals(yes, Arrays.copyOf(reply.getData(), reply.getLength()));
            assertThrows(SocketTimeoutException.class, () -> denied.receive(new DatagramPacket(new byte[256], 256)));
            assertEquals(1, echo.senders.size(), "the denied datagram never reached the echo server");
        }
    }

    /**
     * Sends datagrams of random sizes (1 to 1200 bytes; Netty's epoll sockets do not send empty ones) one at a time and checks each reply; a
     * datagram lost on loopback is sent again (UDP promises nothing), at most 5 times.
     *
     * @return how many datagrams came back intact
     */
    private static int exchange(InetSocketAddress forward, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int ok = 0;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSoTimeout(1_000);
            byte[] in = new byte[2048];
            for (int i = 0; i < DATAGRAMS; i++) {
                byte[] out = new byte[1 + random.nextInt(1200)];
                random.nextBytes(out);
                for (int attempt = 0; attempt < 5; attempt++) {
                    s.send(new DatagramPacket(out, out.length, forward));
                    DatagramPacket reply = new DatagramPacket(in, in.length);
                    try {
                        s.receive(reply);
                    } catch (SocketTimeoutException e) {
                        continue;
                    }
                    byte[] got = Arrays.copyOf(reply.getData(), reply.getLength());
                    assertArrayEquals(out, got, "datagram " + i + " of seed " + seed);
                    ok++;
                    break;
                }
            }
        }
        return ok;
    }
}
