package dev.ferry.frontend.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A destination that refuses: the client's connection closes within a second, and the tunnel carries on. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RefusedDestinationTest {

    @Test
    void refusedDestinationClosesTheClientWithinASecond() throws Exception {
        InetSocketAddress closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = (InetSocketAddress) s.getLocalSocketAddress();
        } // now nothing listens there: connecting is refused
        try (EchoServer echo = new EchoServer(); TunnelHarness h = TunnelHarness.simple(closedPort, echo.address())) {
            for (int i = 0; i < 3; i++) { // the first one also waits for the tunnel: give it its own deadline below
                try (Socket c = new Socket(h.forwards.get(0).getAddress(), h.forwards.get(0).getPort())) {
                    c.getOutputStream().write("anyone there?".getBytes());
                    c.setSoTimeout(i == 0 ? 10_000 : 1_000);
                    try {
                        int r = c.getInputStream().read();
                        assertEquals(-1, r, "no byte from a refused destination");
                    } catch (java.net.SocketException reset) {
                        // a reset also closes the connection: fine
                    } catch (SocketTimeoutException e) {
                        fail("connection to a refused destination still open after " + c.getSoTimeout() + " ms");
                    }
                }
            }
            // Other streams on the same tunnel are unaffected.
            try (Socket ok = new Socket(h.forwards.get(1).getAddress(), h.forwards.get(1).getPort())) {
                ok.setSoTimeout(10_000);
                ok.getOutputStream().write(new byte[]{1, 2, 3});
                byte[] back = ok.getInputStream().readNBytes(3);
                assertEquals(3, back.length);
                assertTrue(back[0] == 1 && back[2] == 3);
            }
        }
    }
}
