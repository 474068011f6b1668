package dev.ferry.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;

/**
 * Gathers the datagrams one session sends between two flushes into UDP GSO sends: a run of equal-length datagrams to
 * one address (the last may be shorter) goes to the socket as one buffer that the kernel cuts into datagrams. The
 * stack then handles the run once instead of once per datagram (shared/PLATFORM.md: about 250 k datagrams/s one by
 * one, several times that with GSO). Without GSO (another transport than epoll, or a kernel without it) each datagram
 * is its own write; either way a flush sends everything written since the last one, in order.
 *
 * <p>Use: {@link #next} for each datagram, write exactly the announced bytes to the buffer it returns, then
 * {@link #flush}. Threading: the socket's event loop.
 */
public final class DatagramBatcher {
    /** The most datagrams one GSO send carries; the kernel takes 64 at most. */
    static final int MAX_SEGMENTS = 64;
    /** The most bytes one GSO send carries: one UDP payload's 16-bit length, less IPv6 and UDP headers, with room. */
    static final int MAX_BYTES = 65_000;

    private final Channel socket;
    private final boolean gso;
    private ByteBuf batch;
    private InetSocketAddress recipient;
    private int segmentLength;
    private int segments;
    /** The last datagram was shorter than the segment length, so it ends its batch. */
    private boolean shortTail;

    /** @param gso whether to send runs as {@link SegmentedDatagramPacket}s, which only an epoll socket takes */
    public DatagramBatcher(Channel socket, boolean gso) {
        this.socket = socket;
        this.gso = gso;
    }

    /** A batcher that uses GSO when the socket is epoll's and the kernel has it. */
    public static DatagramBatcher forSocket(Channel socket) {
        return new DatagramBatcher(socket, socket instanceof EpollDatagramChannel
                && EpollDatagramChannel.isSegmentedDatagramPacketSupported());
    }

    /**
     * The buffer to append the next datagram to, exactly {@code length} bytes for {@code to}; it stays this
     * batcher's. Datagrams go out in the order they were asked for.
     */
    public ByteBuf next(int length, InetSocketAddress to) {
        if (batch != null && !(gso && fits(length, to))) {
            emit();
        }
        if (batch == null) {
            batch = socket.alloc().directBuffer(gso ? Math.max(length, MAX_BYTES) : length);
            recipient = to;
            segmentLength = length;
        }
        segments++;
        shortTail = length < segmentLength;
        return batch;
    }

    private boolean fits(int length, InetSocketAddress to) {
        return !shortTail && length <= segmentLength && segments < MAX_SEGMENTS
                && batch.writerIndex() + length <= MAX_BYTES && to.equals(recipient);
    }

    /** Writes and flushes what was gathered; returns false if there was nothing. */
    public boolean flush() {
        if (batch == null) {
            return false;
        }
        emit();
        socket.flush();
        return true;
    }

    private void emit() {
        ByteBuf content = batch;
        int count = segments;
        batch = null;
        segments = 0;
        shortTail = false;
        if (count == 1) {
            socket.write(new DatagramPacket(content, recipient), socket.voidPromise());
        } else {
            socket.write(new SegmentedDatagramPacket(content, segmentLength, recipient), socket.voidPromise());
        }
    }
}
