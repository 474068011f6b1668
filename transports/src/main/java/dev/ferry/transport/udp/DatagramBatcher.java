package dev.ferry.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * Gathers the datagrams one session sends between two flushes into UDP GSO sends: a run of equal-length datagrams to
 * one address (the last may be shorter) goes to the socket as one buffer that the kernel cuts into datagrams. The
 * stack then handles the run once instead of once per datagram (shared/PLATFORM.md: about 250 k datagrams/s one by
 * one, several times that with GSO). Without GSO (another transport than epoll, or a kernel without it) each datagram
 * is its own write; either way a flush sends everything written since the last one, in order.
 *
 * <p>A GSO send can fail where a plain one would not (the kernel refuses it on a route through IPsec, or through a
 * device that cannot checksum for it): the batcher then logs once and sends one by one from then on. The datagrams of
 * the failed send are lost, as on a lossy link; the KCP engine sends its segments again.
 *
 * <p>Use: {@link #next} for each datagram, write exactly the announced bytes to the buffer it returns, then
 * {@link #flush}. Threading: the socket's event loop.
 */
public final class DatagramBatcher {
    /** The most datagrams one GSO send carries; the kernel takes 64 at most. */
    static final int MAX_SEGMENTS = 64;
    /** The most bytes one GSO send carries: one UDP payload's 16-bit length, less IPv6 and UDP headers, with room. */
    static final int MAX_BYTES = 65_000;

    private static final Logger LOG = LoggerFactory.getLogger(DatagramBatcher.class);

    private final Channel socket;
    private boolean gso;
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
        InetSocketAddress to = recipient;
        int count = segments;
        batch = null;
        segments = 0;
        shortTail = false;
        if (count == 1) {
            socket.write(new DatagramPacket(content, to), socket.voidPromise());
        } else {
            socket.write(new SegmentedDatagramPacket(content, segmentLength, to)).addListener(f -> {
                // A send that fails because the socket closed says nothing about GSO: only a refusal turns it off.
                if (!f.isSuccess() && gso && !(f.cause() instanceof java.nio.channels.ClosedChannelException)) {
                    gso = false;
                    LOG.warn("UDP GSO send to {} failed ({}); sending datagrams one by one from now on", to,
                            f.cause().toString());
                }
            });
        }
    }

    /** Whether runs still go out as GSO sends (false once one failed). */
    public boolean usesGso() {
        return gso;
    }
}
