package dev.ferry.tunnel.mux;

/**
 * The backend's decision on each new stream. Called on the session's event loop; must eventually call
 * {@link MuxStream#accept(StreamHandler)} or {@link MuxStream#reject(dev.ferry.tunnel.wire.OpenStatus)}, from the
 * session's event loop. Payload that arrives meanwhile waits in the stream (bounded by the stream window).
 */
@FunctionalInterface
public interface StreamAcceptor {
    void onOpen(MuxStream stream);
}
