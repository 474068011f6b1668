package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.WireFormat;
import io.netty.buffer.ByteBuf;

/**
 * One UDP flow over a tunnel: datagrams both ways under one flow id, nothing retransmitted, nothing ordered. The
 * frontend opens flows ({@link MuxSession#openFlow}); the backend learns of one from its first datagram. A flow has no
 * close message: each end forgets it after its own idle time, and all of a tunnel's flows end with the tunnel.
 *
 * <p>Threading: every method must be called on the session's event loop.
 */
public final class DatagramFlow {
    private final FlowTable table;
    private final int id;
    private DatagramReceiver receiver;
    private boolean closed;

    DatagramFlow(FlowTable table, int id) {
        this.table = table;
        this.id = id;
    }

    public int id() {
        return id;
    }

    public MuxSession session() {
        return table.session();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Sends one datagram (ownership of {@code payload} taken). It is dropped, and false returned, when the flow or
     * tunnel is closed, the datagram is larger than one frame holds, or the tunnel is not writable (a datagram is
     * worth less than the stream bytes queued before it, and waiting would only make it late).
     */
    public boolean send(Destination address, ByteBuf payload) {
        if (closed || payload.readableBytes() > WireFormat.maxDatagramPayload(address)) {
            payload.release();
            return false;
        }
        return table.session().writeDatagram(new Frame.Datagram(id, address, payload));
    }

    /** Ends the flow here; a later datagram from the peer with this id starts a new flow (backend only). */
    public void close() {
        table.remove(this);
    }

    void receiver(DatagramReceiver receiver) {
        this.receiver = receiver;
    }

    void deliver(Destination address, ByteBuf payload) {
        receiver.onDatagram(this, address, payload);
    }

    void closed() {
        if (!closed) {
            closed = true;
            receiver.onFlowClosed(this);
        }
    }
}
