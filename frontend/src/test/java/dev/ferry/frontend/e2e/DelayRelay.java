package dev.ferry.frontend.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay that adds a one-way delay in each direction, like a longer path: every chunk read is written
 * {@code delay} after it arrived, in order. Bandwidth is not limited.
 */
final class DelayRelay implements AutoCloseable {
    private static final byte[] EOF = new byte[0];

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long delayNanos;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    DelayRelay(InetSocketAddress target, java.time.Duration oneWay) throws IOException {
        this.target = target;
        this.delayNanos = oneWay.toNanos();
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket a = server.accept();
                Socket b;
                try {
                    b = new Socket(target.getAddress(), target.getPort());
                } catch (IOException refused) {
                    a.close(); // the backend is not listening: neither is the relay
                    continue;
                }
                a.setTcpNoDelay(true);
                b.setTcpNoDelay(true);
                direction(a, b);
                direction(b, a);
            } catch (IOException e) {
                return;
            }
        }
    }

    private record Chunk(long due, byte[] bytes) {
    }

    private void direction(Socket from, Socket to) {
        LinkedBlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
        threads.execute(() -> {
            try (InputStream in = from.getInputStream()) {
                byte[] buf = new byte[16384];
                for (int n; (n = in.read(buf)) > 0; ) {
                    line.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
                }
            } catch (IOException ignored) {
                // closed
            }
            line.add(new Chunk(System.nanoTime() + delayNanos, EOF));
        });
        threads.execute(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = line.poll(60, TimeUnit.SECONDS);
                    if (c == null) {
                        continue;
                    }
                    for (long wait; (wait = c.due() - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait); // the delay line itself, not a wait for a condition
                    }
                    if (c.bytes() == EOF) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(c.bytes());
                }
            } catch (IOException | InterruptedException ignored) {
                // closed
            }
        });
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
