package dev.ferry.frontend.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The destination of {@code ferry demo}: a tiny HTTP server on loopback (the JDK's own, no dependency).
 * {@code GET /} answers a short text page; {@code GET /bytes/N} answers N pseudo-random bytes, the same N bytes
 * every time (seeded with N), so a test can compare what came through the tunnel.
 */
final class DemoTarget implements AutoCloseable {
    /** The page starts with this line; {@code .ci/run} looks for it. */
    static final String GREETING = "Hello from the ferry demo target!";
    static final long MAX_BYTES = 1L << 32;
    private static final Pattern BYTES = Pattern.compile("/bytes/(\\d{1,12})");

    private final HttpServer server;
    private final ExecutorService executor;

    private DemoTarget(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code bind} (port 0 = any free port) and starts serving. */
    static DemoTarget start(InetSocketAddress bind) throws IOException {
        HttpServer server = HttpServer.create(bind, 0);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", DemoTarget::handle);
        server.start();
        return new DemoTarget(server, executor);
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!ex.getRequestMethod().equals("GET")) {
                text(ex, 405, "only GET here\n");
                return;
            }
            if (path.equals("/")) {
                text(ex, 200, page(ex));
                return;
            }
            Matcher m = BYTES.matcher(path);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                if (n > MAX_BYTES) {
                    text(ex, 400, "at most " + MAX_BYTES + " bytes\n");
                    return;
                }
                bytes(ex, n);
                return;
            }
            text(ex, 404, "not found; try / or /bytes/1048576\n");
        }
    }

    private static String page(HttpExchange ex) {
        return GREETING + "\n\n"
                + "This page came through an encrypted ferry tunnel:\n"
                + "  curl -> frontend -> tunnel (X25519 handshake, AEAD records, mux) -> backend -> this server\n"
                + "The server saw the request come from " + ex.getRemoteAddress().getAddress().getHostAddress()
                + ", that is from the backend, not from curl.\n\n"
                + "Test data: GET /bytes/N returns N pseudo-random bytes (the same ones for the same N), e.g.\n"
                + "  curl -s http://" + ex.getRequestHeaders().getFirst("Host") + "/bytes/104857600 | wc -c\n";
    }

    private static void text(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static void bytes(HttpExchange ex, long n) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, n == 0 ? -1 : n);
        SplittableRandom random = new SplittableRandom(n);
        byte[] chunk = new byte[64 * 1024];
        OutputStream out = ex.getResponseBody();
        for (long left = n; left > 0; ) {
            int len = (int) Math.min(chunk.length, left);
            random.nextBytes(chunk);
            out.write(chunk, 0, len);
            left -= len;
        }
    }
}
