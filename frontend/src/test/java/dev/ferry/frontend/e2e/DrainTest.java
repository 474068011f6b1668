package dev.ferry.frontend.e2e;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.FrontendServer;
import dev.ferry.frontend.PortForward;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.wire.Destination;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM on a real backend process: it stops accepting, lets the open stream finish, then exits.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DrainTest {

    @Test
    void sigtermLetsOpenStreamsFinishThenExits() throws Exception {
        String spec = PresharedKey.generateSpec(new SecureRandom());
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process backend = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.ferry.frontend.cli.Main",
                "backend", "--listen", "127.0.0.1:" + port, "--key", spec, "--drain-timeout", "20s")
                .redirectErrorStream(true).start();
        LineWatcher log = new LineWatcher(backend);
        try (ServerSocket dest = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            log.await("ferry backend listening", 30);
            IoRuntime io = IoRuntime.detect();
            TunnelSettings settings = TunnelSettings.defaults(PresharedKey.fromSpec(spec), CipherKind.AES_256_GCM);
            FrontendServer fe = new FrontendServer(new FrontendConfig(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), "tcp", settings,
                    List.of(new PortForward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                            Destination.of((InetSocketAddress) dest.getLocalSocketAddress()))),
                    Duration.ofSeconds(10), Duration.ofSeconds(1)), io, new Transports(io));
            try {
                InetSocketAddress fwd = fe.start().get(0);
                CompletableFuture<Void> go = new CompletableFuture<>();
                CompletableFuture<Void> accepted = new CompletableFuture<>();
                byte[] body = new byte[2 << 20];
                CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                    try (Socket s = dest.accept()) {
                        s.getInputStream().readNBytes(7); // "request": unread input would turn close into RST
                        accepted.complete(null);
                        go.get(60, TimeUnit.SECONDS); // answers only once the backend is draining
                        s.getOutputStream().write(body);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                try (Socket c = new Socket(fwd.getAddress(), fwd.getPort())) {
                    c.setSoTimeout(60_000);
                    c.getOutputStream().write("request".getBytes());
                    accepted.get(30, TimeUnit.SECONDS); // the stream is open end to end
                    backend.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our pipes
                    log.await("streams open, waiting", 30); // logged once the listener is closed
                    assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port)
                            .close(), "a draining backend accepts no new tunnels");
                    go.complete(null);
                    byte[] got;
                    try {
                        got = c.getInputStream().readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new AssertionError("stream cut during the drain: " + e + "\nbackend log:\n"
                                + log.text(), e);
                    }
                    assertEquals(body.length, got.length, "the open stream was cut during the drain");
                }
                served.get(30, TimeUnit.SECONDS);
                assertTrue(backend.waitFor(30, TimeUnit.SECONDS), "backend did not exit after draining");
                int code = backend.exitValue();
                assertTrue(code == 0 || code == 143, "exit code " + code + "\n" + log.text());
            } finally {
                fe.close();
            }
        } finally {
            backend.destroyForcibly();
        }
    }

    /** Reads a process's output on a thread and lets a test wait for a line containing some text. */
    static final class LineWatcher {
        private final StringBuilder text = new StringBuilder();

        LineWatcher(Process p) {
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (text) {
                            text.append(line).append('\n');
                            text.notifyAll();
                        }
                    }
                } catch (Exception ignored) {
                    // process gone
                }
            });
        }

        void await(String needle, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (text) {
                while (text.indexOf(needle) < 0) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new AssertionError("no '" + needle + "' in the output within " + seconds + " s:\n"
                                + text);
                    }
                    text.wait(left);
                }
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }
}
