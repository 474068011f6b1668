package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.wire.Destination;
import io.netty.buffer.ByteBuf;

/** Takes the datagrams that arrive on one {@link DatagramFlow}. Methods run on the session's event loop. */
public interface DatagramReceiver {
    /**
     * A datagram arrived; the receiver owns {@code payload} and must release it. {@code address} is where it went
     * (on the backend) or where it came from (on the frontend).
     */
    void onDatagram(DatagramFlow flow, Destination address, ByteBuf payload);

    /** The flow ended: closed here, or its tunnel closed. Nothing arrives after this. */
    default void onFlowClosed(DatagramFlow flow) {
    }
}
