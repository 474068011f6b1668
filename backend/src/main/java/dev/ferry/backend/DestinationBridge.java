package dev.ferry.backend;

import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.control.ActiveCount;
import dev.ferry.tunnel.bridge.SocketStreamBridge;
import dev.ferry.tunnel.mux.MuxStream;

/** The backend's end of a stream: the outbound socket to the destination. Lives on the session's event loop. */
final class DestinationBridge extends SocketStreamBridge {
    private final String client;

    private final ActiveCount active;

    /** Counts itself in {@code active} until {@link #finished()}. */
    DestinationBridge(MuxStream stream, AccessLog accessLog, ActiveCount active) {
        super(accessLog, false);
        this.active = active;
        active.increment();
        this.stream = stream;
        this.sessionLoop = stream.session().eventLoop();
        this.client = AccessLog.format(stream.session().channel().remoteAddress()) + "#" + stream.id();
    }

    @Override
    protected String clientLabel() {
        return client;
    }

    @Override
    protected Object destinationLabel() {
        return stream.destination();
    }

    /** The destination is connected: take the stream and start reading. */
    void connected(io.netty.channel.Channel channel) {
        this.socket = channel;
        stream.accept(this);
        if (stream.isWritable()) {
            requestRead();
        }
    }

    /** The destination could not be reached, or the stream ended before it was: logs the outcome. */
    void failed(String outcome) {
        finish(outcome);
    }

    @Override
    protected void finished() {
        active.decrement();
    }
}
