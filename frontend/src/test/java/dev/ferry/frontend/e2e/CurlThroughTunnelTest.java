package dev.ferry.frontend.e2e;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** curl, a client nobody here wrote, fetches a file from a local HTTP server through the tunnel. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CurlThroughTunnelTest {
    private static final long SEED = Long.getLong("ferry.test.seed", System.nanoTime());

    @Test
    void curlDownloadsIdenticalBytes(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(onPath("curl"), "SKIPPED: curl is not installed (./test.sh installs it as root)");
        byte[] file = new byte[8 << 20];
        new SplittableRandom(SEED).nextBytes(file);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        http.createContext("/file", ex -> {
            ex.sendResponseHeaders(200, file.length);
            try (var out = ex.getResponseBody()) {
                out.write(file);
            }
        });
        http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        try (TunnelHarness h = TunnelHarness.simple(http.getAddress())) {
            InetSocketAddress fwd = h.forwards.get(0);
            List<Process> curls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                curls.add(new ProcessBuilder("curl", "-sS", "--fail", "--max-time", "60", "-o",
                        dir.resolve("out" + i).toString(),
                        "http://127.0.0.1:" + fwd.getPort() + "/file").redirectErrorStream(true).start());
            }
            String want = sha256(file);
            for (int i = 0; i < curls.size(); i++) {
                Process p = curls.get(i);
                assertTrue(p.waitFor(90, TimeUnit.SECONDS), "curl did not finish");
                String out = new String(p.getInputStream().readAllBytes());
                assertEquals(0, p.exitValue(), "curl failed: " + out);
                assertEquals(want, sha256(Files.readAllBytes(dir.resolve("out" + i))), "seed " + SEED);
            }
        } finally {
            http.stop(0);
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
