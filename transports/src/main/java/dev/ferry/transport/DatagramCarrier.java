package dev.ferry.transport;

import io.netty.buffer.ByteBuf;

import java.util.function.Consumer;

/**
 * Implemented by a transport's channel that can also carry datagrams beside its reliable stream, each sent once:
 * lost, never retransmitted, never waiting behind stream bytes. The tunnel sends its UDP flows' datagrams this way
 * when it can; over a channel without it they travel inside the stream.
 *
 * <p>Threading: every method must be called on the channel's event loop.
 */
public interface DatagramCarrier {
    /** The largest datagram body {@link #sendDatagram} takes. */
    int maxDatagramLength();

    /**
     * Sends {@code body} (ownership taken) as one datagram of its own.
     *
     * @return false when it was dropped: too large, or the channel is closed
     */
    boolean sendDatagram(ByteBuf body);

    /**
     * Where datagrams from the peer go from now on (each buffer owned by the sink); until a sink is set they are
     * dropped.
     */
    void receiveDatagrams(Consumer<ByteBuf> sink);
}
