package dev.ferry.frontend.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP relay in front of a backend that can die abruptly: {@link #kill()} resets every connection through it
 * (no goodbye, as when the backend's machine vanishes) and resets every new one until {@link #revive()};
 * {@link #freeze()} makes it go silent instead (bytes swallowed both ways, connections left open), as a hung
 * backend or a black-holed path does.
 */
final class KillableRelay implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean dead;
    private volatile boolean frozen;

    KillableRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Resets every connection now, and every new one until revived. */
    void kill() {
        dead = true;
        for (Socket s : open) {
            reset(s);
        }
    }

    void revive() {
        dead = false;
        frozen = false;
    }

    /** Swallows every byte from now on, in both directions, on old and new connections. */
    void freeze() {
        frozen = true;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket a = server.accept();
                if (dead) {
                    reset(a);
                    continue;
                }
                Socket b;
                try {
                    b = new Socket(target.getAddress(), target.getPort());
                } catch (IOException refused) {
                    reset(a); // the backend is not listening (draining, stopped): so is the relay
                    continue;
                }
                a.setTcpNoDelay(true); // tunnel records are small and answer each other: no Nagle wait
                b.setTcpNoDelay(true);
                open.add(a);
                open.add(b);
                threads.execute(() -> pump(a, b));
                threads.execute(() -> pump(b, a));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[16384];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (!frozen) {
                    out.write(buf, 0, n);
                }
            }
            to.shutdownOutput();
        } catch (IOException ignored) {
            // reset by kill() or by the other side
        } finally {
            open.remove(from);
        }
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        kill();
        threads.shutdownNow();
    }
}
