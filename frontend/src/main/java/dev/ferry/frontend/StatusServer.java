package dev.ferry.frontend;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.tunnel.balance.BackendPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code --status}: a plain-text HTTP endpoint on a loopback address, {@code GET /status}, with each backend's state,
 * RTT, loss, streams and bytes ({@link StatusReport}); {@code ferry status} reads it. Only loopback: it tells
 * whoever asks where the backends are.
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);

    private final HttpServer http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    public StatusServer(InetSocketAddress bind, BackendPool pool) throws IOException {
        if (!bind.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the status endpoint listens on loopback only, not " + bind);
        }
        http = HttpServer.create(bind, 16);
        http.createContext("/status", ex -> answer(ex, pool));
        http.setExecutor(threads);
        http.start();
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    private static void answer(HttpExchange ex, BackendPool pool) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (!loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
                // A web page the user opened cannot read it through a name it rebinds to 127.0.0.1.
                ex.sendResponseHeaders(403, -1);
                return;
            }
            String body;
            try {
                body = StatusReport.render(pool.status().get(5, TimeUnit.SECONDS));
            } catch (Exception e) {
                LOG.debug("status not available", e);
                ex.sendResponseHeaders(503, -1);
                return;
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    /** Whether a request's Host names this machine's loopback (or is absent, as from plain HTTP/1.0 tools). */
    public static boolean loopbackHost(String host) {
        if (host == null) {
            return true;
        }
        String h = host.startsWith("[") ? host.substring(1, Math.max(1, host.indexOf(']')))
                : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        return h.equals("localhost") || h.equals("::1")
                || io.netty.util.NetUtil.isValidIpV4Address(h) && h.startsWith("127.");
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
