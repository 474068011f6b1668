package dev.ferry.tunnel.control;

import dev.ferry.tunnel.mux.MuxSession;
import io.netty.util.concurrent.Future;

import java.time.Duration;

/**
 * Where a frontend's new streams and flows get their tunnel: one backend ({@link TunnelClient}) or several
 * ({@code BackendPool}).
 */
public interface SessionSource extends AutoCloseable {
    /** A session that takes a new stream: at once when one is up, else when one comes up within {@code wait}. */
    Future<MuxSession> acquire(Duration wait);

    /** A live session for datagram flows, or null when none is up. */
    MuxSession currentSession();

    @Override
    void close();
}
