package dev.ferry.frontend.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code ferry status}: prints what the endpoint serves; one clear line when nothing answers. */
class StatusCommandTest {

    @Test
    void printsTheEndpointsTable() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        byte[] body = "BACKEND STATE\n127.0.0.1:7000 up\n".getBytes(StandardCharsets.UTF_8);
        http.createContext("/status", ex -> {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        try {
            Run r = Run.ferry("status", "127.0.0.1:" + http.getAddress().getPort());
            assertEquals(0, r.exit(), r.err());
            assertEquals("BACKEND STATE\n127.0.0.1:7000 up\n", r.out());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void theEndpointAnswersOnlyRequestsNamingLoopback() {
        assertEquals(true, dev.ferry.frontend.StatusServer.loopbackHost("127.0.0.1:7070"));
        assertEquals(true, dev.ferry.frontend.StatusServer.loopbackHost("localhost:7070"));
        assertEquals(true, dev.ferry.frontend.StatusServer.loopbackHost("[::1]:7070"));
        assertEquals(true, dev.ferry.frontend.StatusServer.loopbackHost(null));
        assertEquals(false, dev.ferry.frontend.StatusServer.loopbackHost("evil.example:7070"));
        assertEquals(false, dev.ferry.frontend.StatusServer.loopbackHost("127.0.0.1.evil.example"));
    }

    @Test
    void nothingListening() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run r = Run.ferry("status", Integer.toString(port));
        assertEquals(1, r.exit());
        assertEquals("ferry: status: nothing answers on 127.0.0.1:" + port + " (start the frontend with --status "
                + port + ")", r.errLines().get(0));
    }
}
