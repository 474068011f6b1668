package dev.ferry.bench.link;

import java.io.IOException;

/**
 * Where the link emulator reads and writes whole IP packets: a TUN device ({@link Tun}) in production, an in-memory
 * queue in tests.
 *
 * <p>Threading: one thread may {@link #receive} while another {@link #send}s; neither method is called by two threads
 * at once. {@link #close} is called only after both have returned for good.
 */
public interface PacketDevice extends AutoCloseable {

    /** The largest packet a device hands over; a buffer of this size never truncates one. */
    int MAX_PACKET = 65_535;

    /**
     * Copies the next packet into {@code buf}, waiting at most {@code timeoutNanos} for one. Returns at once when a
     * packet is already waiting. A packet longer than {@code buf} is truncated.
     *
     * @return the packet's length, or 0 when none came in time (an early 0, e.g. after a signal, is allowed)
     * @throws IOException when the device failed; it is unusable from then on
     */
    int receive(byte[] buf, long timeoutNanos) throws IOException;

    /**
     * Hands one packet to the device without waiting for room.
     *
     * @throws IOException when the device refused this packet (e.g. the interface is down); later packets may pass
     */
    void send(byte[] packet, int off, int len) throws IOException;

    /** The device's name, e.g. the interface name of a TUN device. */
    String name();

    @Override
    void close() throws IOException;
}
