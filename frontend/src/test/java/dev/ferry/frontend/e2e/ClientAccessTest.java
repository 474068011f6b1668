package dev.ferry.frontend.e2e;

import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import dev.ferry.frontend.ClientAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code --allow-client}, {@code --deny-client}, {@code --max-connections} and {@code --max-connections-per-client}
 * over real sockets: clients on 127.0.0.1 and 127.0.0.2 (both loopback) reach a forward to an echo server; a refused
 * one is closed without a byte, and the admitted ones are untouched.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientAccessTest {
    private static final InetAddress ONE = address("127.0.0.1");
    private static final InetAddress TWO = address("127.0.0.2");

    @Test
    void aDeniedClientIsClosedAndOthersPass() throws Exception {
        ClientAccess access = new ClientAccess(DestinationPolicy.of(List.of(), List.of("127.0.0.2/32")), 0, 0);
        try (EchoServer echo = new EchoServer(); TunnelHarness h = harness(access, echo)) {
            try (Socket ok = connect(h, ONE)) {
                assertEchoes(ok);
            }
            try (Socket denied = connect(h, TWO)) {
                assertClosed(denied);
            }
        }
    }

    @Test
    void withAnAllowListOnlyItsClientsPass() throws Exception {
        ClientAccess access = new ClientAccess(DestinationPolicy.of(List.of("127.0.0.2"), List.of()), 0, 0);
        try (EchoServer echo = new EchoServer(); TunnelHarness h = harness(access, echo)) {
            try (Socket other = connect(h, ONE)) {
                assertClosed(other);
            }
            try (Socket ok = connect(h, TWO)) {
                assertEchoes(ok);
            }
        }
    }

    @Test
    void connectionsBeyondTheTotalAreRefusedUntilOneCloses() throws Exception {
        ClientAccess access = new ClientAccess(DestinationPolicy.allowAll(), 2, 0);
        try (EchoServer echo = new EchoServer(); TunnelHarness h = harness(access, echo)) {
            Socket first = connect(h, ONE);
            try (Socket second = connect(h, TWO)) {
                assertEchoes(first);
                assertEchoes(second);
                try (Socket third = connect(h, ONE)) {
                    assertClosed(third);
                }
                first.close();
                assertAdmittedWithin(h, ONE, 10_000);
                assertEchoes(second);
            }
        }
    }

    @Test
    void connectionsBeyondThePerClientLimitAreRefused() throws Exception {
        ClientAccess access = new ClientAccess(DestinationPolicy.allowAll(), 0, 1);
        try (EchoServer echo = new EchoServer(); TunnelHarness h = harness(access, echo)) {
            try (Socket mine = connect(h, ONE); Socket theirs = connect(h, TWO)) {
                assertEchoes(mine);
                assertEchoes(theirs);
                try (Socket again = connect(h, ONE)) {
                    assertClosed(again);
                }
                assertEchoes(mine);
            }
        }
    }

    private static TunnelHarness harness(ClientAccess access, EchoServer echo) throws Exception {
        return new TunnelHarness("tcp", CipherKind.AES_256_GCM, null, DestinationPolicy.allowAll(), access,
                echo.address());
    }

    private static Socket connect(TunnelHarness h, InetAddress from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(h.forwards.get(0), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void assertEchoes(Socket s) throws IOException {
        byte[] ping = {7, 8, 9};
        s.getOutputStream().write(ping);
        assertArrayEquals(ping, s.getInputStream().readNBytes(ping.length), "echoed through the tunnel");
    }

    private static void assertClosed(Socket s) throws IOException {
        try {
            s.getOutputStream().write(1);
            assertEquals(-1, s.getInputStream().read(), "a refused client gets no byte, only the close");
        } catch (SocketException reset) {
            // a reset closes it too
        } catch (SocketTimeoutException e) {
            fail("a refused connection was still open after " + s.getSoTimeout() + " ms");
        }
    }

    /** The frontend releases a closed connection's slot on its own loop: a new one gets in within the deadline. */
    private static void assertAdmittedWithin(TunnelHarness h, InetAddress from, long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (int attempt = 1; ; attempt++) {
            try (Socket s = connect(h, from)) {
                byte[] ping = {1, 2, 3};
                s.getOutputStream().write(ping);
                byte[] back = s.getInputStream().readNBytes(ping.length);
                if (back.length == ping.length) {
                    assertArrayEquals(ping, back);
                    return;
                }
            } catch (SocketException refusedMeanwhile) {
                // refused: the slot was not free yet
            }
            assertTrue(System.nanoTime() < deadline, "no slot freed within " + millis + " ms (" + attempt
                    + " attempts)");
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
