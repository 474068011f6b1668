package dev.ferry.transport.kcp.engine;

/**
 * Packs segments into one reusable mtu-sized packet and hands it to {@link KcpOutput} when the next segment would
 * not fit. Every segment written between {@link #begin} and {@link #finish} carries the same wnd and una, the
 * receiver's state at the start of that flush.
 */
final class PacketWriter {
    private final int conv;
    private final byte[] packet;
    private final KcpOutput output;
    private final KcpCounters counters;
    private final int duplicateBelow;
    private int length;
    private boolean carriesData;
    private int wnd;
    private int una;
    /** A segment was written since {@link #begin}. */
    private boolean wrote;

    PacketWriter(int conv, int mtu, int duplicateBelow, KcpOutput output, KcpCounters counters) {
        this.conv = conv;
        this.duplicateBelow = duplicateBelow;
        this.packet = new byte[mtu];
        this.output = output;
        this.counters = counters;
    }

    void begin(int receiveWindowFree, int receiveNext) {
        wnd = receiveWindowFree;
        una = receiveNext;
        wrote = false;
    }

    /** Whether a segment was written since {@link #begin}: a packet leaves with this flush anyway. */
    boolean wroteSince() {
        return wrote;
    }

    /** An ACK, WASK or WINS segment (no payload). */
    void control(int cmd, int ts, int sn) {
        reserve(KcpWire.HEADER_BYTES);
        KcpWire.writeHeader(packet, length, conv, cmd, 0, wnd, ts, sn, una, 0);
        length += KcpWire.HEADER_BYTES;
        wrote = true;
    }

    /** A PUSH of {@code s} with its current ts; its payload is at most mss, so it always fits an empty packet. */
    void push(Segment s) {
        reserve(KcpWire.HEADER_BYTES + s.len);
        KcpWire.writeHeader(packet, length, conv, KcpWire.CMD_PUSH, 0, wnd, s.ts, s.sn, una, s.len);
        System.arraycopy(s.data, 0, packet, length + KcpWire.HEADER_BYTES, s.len);
        length += KcpWire.HEADER_BYTES + s.len;
        carriesData = true;
        wrote = true;
    }

    /** Sends what is packed, if anything; a small packet with data twice (see {@link KcpConfig#duplicateBelow}). */
    void finish() {
        if (length > 0) {
            int n = length;
            boolean twice = carriesData && n <= duplicateBelow;
            length = 0;
            carriesData = false;
            counters.packetsSent++;
            output.output(packet, n);
            if (twice) {
                counters.packetsSent++;
                counters.duplicatedPackets++;
                output.output(packet, n);
            }
        }
    }

    private void reserve(int bytes) {
        if (length + bytes > packet.length) {
            finish();
        }
    }
}
