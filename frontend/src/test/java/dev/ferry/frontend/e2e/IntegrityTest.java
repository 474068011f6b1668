package dev.ferry.frontend.e2e;

import dev.ferry.backend.DestinationPolicy;
import dev.ferry.crypto.CipherKind;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Many concurrent streams through a real backend and frontend; every byte checked by SHA-256 both ways. */
class IntegrityTest {
    private static final long SEED = Long.getLong("ferry.test.seed", System.nanoTime());

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"tcp", "kcp"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void sixtyFourStreamsOfFourMegabytesEachWay(String transport) throws Exception {
        run(transport, CipherKind.AES_256_GCM, 64, 4 << 20);
    }

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({"CHACHA20_POLY1305, tcp", "AES_128_GCM, tcp", "CHACHA20_POLY1305, kcp", "AES_128_GCM, kcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void otherCiphers(CipherKind cipher, String transport) throws Exception {
        run(transport, cipher, 8, 1 << 20);
    }

    private void run(String transport, CipherKind cipher, int streams, int bytesPerStream) throws Exception {
        try (EchoServer echo = new EchoServer();
             TunnelHarness h = new TunnelHarness(transport, cipher, null, DestinationPolicy.allowAll(),
                     echo.address());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                long seed = SEED + i;
                results.add(pool.submit(() -> roundTrip(h, seed, bytesPerStream)));
            }
            for (Future<String> r : results) {
                assertEquals("ok", r.get(150, TimeUnit.SECONDS), "seed " + SEED + " over " + transport);
            }
        }
    }

    /** Sends random bytes, half-closes, reads the echo to EOF; compares SHA-256 of what went and what came. */
    private static String roundTrip(TunnelHarness h, long seed, int size) throws Exception {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        try (Socket s = new Socket(h.forwards.get(0).getAddress(), h.forwards.get(0).getPort())) {
            s.setSoTimeout(120_000);
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < size; off += 16384) {
                        out.write(data, off, Math.min(16384, size - off));
                    }
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                got.update(buf, 0, n);
                total += n;
            }
            writer.join();
            String want = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            String have = HexFormat.of().formatHex(got.digest());
            return total == size && want.equals(have) ? "ok"
                    : "stream seed " + seed + ": got " + total + " bytes, sha " + have + " want " + want;
        }
    }
}
