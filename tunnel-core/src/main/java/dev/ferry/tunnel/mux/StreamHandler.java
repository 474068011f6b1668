package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.OpenStatus;
import dev.ferry.tunnel.wire.ResetReason;
import io.netty.buffer.ByteBuf;

/**
 * Receives what happens to one stream. Every method runs on the session's event loop and must not block.
 */
public interface StreamHandler {

    /** The backend's answer to the open (frontend side only). After a failure the stream is already gone. */
    default void onOpenResult(OpenStatus status) {
    }

    /**
     * Payload from the peer. The handler owns {@code data} and must call {@link MuxStream#consumed(int)} once the
     * bytes have left for good (written to the socket), which grants the peer more window.
     */
    void onData(ByteBuf data);

    /** The peer will send no more payload. */
    void onFin();

    /** The stream ended abnormally: reset by the peer, broken protocol, or the tunnel went away. */
    void onReset(ResetReason reason, boolean byPeer);

    /** {@link MuxStream#isWritable()} changed; resume reading the local socket when it turned true. */
    void onWritabilityChanged(boolean writable);
}
