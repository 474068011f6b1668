package dev.ferry.frontend.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP relay in front of a backend that can go silent: {@link #freeze()} stops forwarding on every connection open
 * now (they stay open, bytes are swallowed), like a peer that hangs or a path that black-holes. New connections
 * are relayed normally.
 */
final class FreezableRelay implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile long generation;

    FreezableRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connections open now stop forwarding for good. */
    void freeze() {
        generation++;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket a = server.accept();
                Socket b = new Socket(target.getAddress(), target.getPort());
                long g = generation;
                threads.execute(() -> pump(a, b, g));
                threads.execute(() -> pump(b, a, g));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, long g) {
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[16384];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (generation == g) {
                    out.write(buf, 0, n);
                }
            }
            if (generation == g) {
                to.shutdownOutput();
            }
        } catch (IOException ignored) {
            // the other pump or the test closes
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
