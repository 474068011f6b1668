package dev.ferry.transport.kcp.engine;

/**
 * Packs segments into one reusable mtu-sized packet and hands it to {@link KcpOutput} when the next segment would
 * not fit. Every segment written between {@link #begin} and {@link #finish} carries the same wnd and una, the
 * receiver's state at the start of that flush.
 */
final class PacketWriter {
    /**
     * How many times a small packet with data leaves (see {@link KcpConfig#duplicateBelow}). At loss rate p it then
     * waits for a retransmission timeout with probability p^3: 1 in 8,000 at 5 %, 1 in 1,000 at 10 %, so a
     * request/response exchange (two such packets) does so well under 1 % of the time. Two copies (p^2: 1 in 400
     * and 1 in 100) left it at 0.5-1.3 % of exchanges in the emulated 5 % cells, right at the p99 (bench/README.md).
     */
    static final int SMALL_PACKET_COPIES = 3;

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

    /**
     * Sends what is packed, if anything; a small packet with data {@value #SMALL_PACKET_COPIES} times (see
     * {@link KcpConfig#duplicateBelow}).
     */
    void finish() {
        if (length > 0) {
            int n = length;
            int copies = carriesData && n <= duplicateBelow ? SMALL_PACKET_COPIES : 1;
            length = 0;
            carriesData = false;
            counters.packetsSent += copies;
            if (copies > 1) {
                counters.duplicatedPackets++;
            }
            for (int i = 0; i < copies; i++) {
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
