package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.ControlMessage;

/** What the control plane wants to know about a session. Methods run on the session's event loop. */
public interface SessionListener {
    SessionListener NONE = new SessionListener() { };

    /** A control message from the peer (load report, go-away). */
    default void onControl(MuxSession session, ControlMessage message) {
    }

    /** A stream was opened (by either side). */
    default void onStreamOpened(MuxSession session, MuxStream stream) {
    }

    /** A stream ended (both FINs, a reset, a refusal, or the tunnel closing). */
    default void onStreamClosed(MuxSession session, MuxStream stream) {
    }

    /** The session is over (tunnel closed); every stream was reset before this call. */
    default void onClosed(MuxSession session) {
    }
}
