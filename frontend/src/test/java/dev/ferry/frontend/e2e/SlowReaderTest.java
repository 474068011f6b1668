package dev.ferry.frontend.e2e;

import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.mux.MuxStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A destination that does not read: ferry must hold at most about one stream window plus one send queue in memory,
 * push back on the client (its writes stop), and lose nothing once the destination reads again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowReaderTest {
    /** Far more than every kernel buffer on the path, so the client must block if backpressure works. */
    private static final long OFFERED = 256L << 20;
    /** What ferry may hold: a window on the receiving side, a queue on the sending side, and one read of slack each. */
    private static final long BOUND = TunnelSettings.DEFAULT_STREAM_WINDOW + MuxStream.QUEUE_HIGH + 2 * 65536;

    @Test
    void stalledDestinationKeepsBuffersBoundedAndLosesNothing() throws Exception {
        try (ServerSocket dest = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             TunnelHarness h = TunnelHarness.simple(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), dest.getLocalPort()))) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return dest.accept();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Socket client = new Socket(h.forwards.get(0).getAddress(), h.forwards.get(0).getPort());
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    byte[] chunk = new byte[65536];
                    while (written.get() < OFFERED) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                    client.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket d = accepted.get(30, TimeUnit.SECONDS); client) {
                // Watch for a while: ferry's buffers never exceed the bound, and the writer never gets through.
                long maxSeen = 0;
                for (int i = 0; i < 40; i++) {
                    try {
                        writer.get(50, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException stillBlocked) {
                        // expected
                    }
                    long held = h.frontend.bufferedBytes() + h.backend.bufferedBytes();
                    maxSeen = Math.max(maxSeen, held);
                    assertTrue(held <= BOUND, "ferry holds " + held + " bytes, bound " + BOUND);
                }
                assertFalse(writer.isDone(), "client wrote all " + OFFERED + " bytes into a destination that reads"
                        + " nothing: no backpressure");
                assertTrue(maxSeen > 0, "the test never saw buffered data");
                long stalledAt = written.get();
                assertTrue(stalledAt < OFFERED);

                // Now read everything: every byte the client wrote arrives.
                d.setSoTimeout(60_000);
                InputStream in = d.getInputStream();
                byte[] buf = new byte[1 << 20];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                }
                writer.get(60, TimeUnit.SECONDS);
                assertEquals(OFFERED, total);
            }
        }
    }
}
