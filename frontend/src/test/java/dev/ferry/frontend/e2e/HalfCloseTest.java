package dev.ferry.frontend.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** TCP half-close carried both ways: one side shuts its output, the other sees EOF, the reverse keeps flowing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HalfCloseTest {

    @Test
    void clientClosesFirstAndStillReceivesTheAnswer() throws Exception {
        try (ServerSocket dest = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             TunnelHarness h = TunnelHarness.simple(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
                     dest.getLocalPort()))) {
            // The destination reads the request to EOF, then answers with its length and closes.
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (Socket s = dest.accept()) {
                    byte[] request = s.getInputStream().readAllBytes();
                    s.getOutputStream().write(("got " + request.length).getBytes(StandardCharsets.US_ASCII));
                    return request.length;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket c = connect(h)) {
                byte[] request = new byte[300_000];
                c.getOutputStream().write(request);
                c.shutdownOutput();
                String answer = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertEquals("got 300000", answer);
            }
            assertEquals(300_000, served.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void destinationClosesFirstAndStillReceivesTheClientsBytes() throws Exception {
        byte[] greeting = "hello, then my side is done".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket dest = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             TunnelHarness h = TunnelHarness.simple(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
                     dest.getLocalPort()))) {
            // The destination speaks first, half-closes, then reads everything the client sends afterwards.
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = dest.accept()) {
                    s.getOutputStream().write(greeting);
                    s.shutdownOutput();
                    return s.getInputStream().readAllBytes();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket c = connect(h)) {
                InputStream in = c.getInputStream();
                assertArrayEquals(greeting, in.readAllBytes(), "the client sees the greeting then EOF");
                byte[] late = new byte[200_000];
                java.util.Arrays.fill(late, (byte) 7);
                c.getOutputStream().write(late); // the reverse direction still flows after EOF
                c.shutdownOutput();
                assertArrayEquals(late, received.get(30, TimeUnit.SECONDS));
            }
        }
    }

    private static Socket connect(TunnelHarness h) throws Exception {
        Socket c = new Socket(h.forwards.get(0).getAddress(), h.forwards.get(0).getPort());
        c.setSoTimeout(30_000);
        return c;
    }
}
