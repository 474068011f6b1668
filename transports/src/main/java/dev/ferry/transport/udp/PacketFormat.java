package dev.ferry.transport.udp;

import java.nio.charset.StandardCharsets;

/**
 * Layout of every datagram the UDP-based transports send; docs/PROTOCOL.md ("Datagram transports") is the reference.
 * <pre>
 *  0                 8                 16
 * +-----------------+-----------------+------------------------------------------------+---------+
 * | session id (8)  | packet no. (8)  | sealed: kind (1) | [timestamp ms (8)] | body   | tag (16)|
 * +-----------------+-----------------+------------------------------------------------+---------+
 * </pre>
 * The session id is chosen at random by the client and names the session wherever the packet comes from, so a client
 * whose address changes (NAT rebinding, roaming) keeps its session. Each direction has its own key, derived from the
 * pre-shared key and the session id; the packet number is that key's nonce and goes through a replay window.
 * Both 8-byte fields are big-endian and are the only bytes in clear.
 */
public final class PacketFormat {
    public static final int SESSION_ID_LENGTH = 8;
    public static final int PACKET_NUMBER_LENGTH = 8;
    public static final int HEADER_LENGTH = SESSION_ID_LENGTH + PACKET_NUMBER_LENGTH;
    public static final int KIND_LENGTH = 1;
    public static final int TIMESTAMP_LENGTH = 8;

    /** Body is KCP segments. */
    public static final int KIND_KCP = 0x01;
    /** The sender closed the session; no body. */
    public static final int KIND_CLOSE = 0x02;
    /** Body is one FEC shard (see {@link dev.ferry.transport.fec.FecFormat}) whose data are KCP segments. */
    public static final int KIND_FEC = 0x03;
    /** Body is the sender's count of FEC shards received and sent to it (u64, u64), for {@code --fec auto}. */
    public static final int KIND_FEC_REPORT = 0x04;
    /**
     * Body is the rate the client asks the server to send to it at (u64, bits per second of whole IP packets, within
     * {@link #MIN_RATE_BITS_PER_SECOND}..{@link #MAX_RATE_BITS_PER_SECOND}): the frontend's {@code --down}. Only the
     * client sends it, with its first packets and then about once a second.
     */
    public static final int KIND_RATE = 0x05;
    /** The body of a {@link #KIND_RATE} packet: one u64. */
    public static final int RATE_LENGTH = 8;
    /** The least rate a RATE packet may ask for, 64 kbit/s, the least the command line takes. */
    public static final long MIN_RATE_BITS_PER_SECOND = 64_000;
    /** The most a RATE packet may ask for, 100 Gbit/s, the most the command line takes. */
    public static final long MAX_RATE_BITS_PER_SECOND = 100_000_000_000L;
    /**
     * Body is one datagram of the tunnel itself, sent beside the KCP stream and never retransmitted: an encoded
     * DATAGRAM frame of a UDP flow (docs/PROTOCOL.md, "UDP flows").
     */
    public static final int KIND_DATAGRAM = 0x06;
    /** Body is one FEC shard whose data are {@link #KIND_DATAGRAM} bodies: the datagrams of a sender with FEC on. */
    public static final int KIND_DATAGRAM_FEC = 0x07;
    /** As {@link #KIND_FEC_REPORT}, for the shards of {@link #KIND_DATAGRAM_FEC} packets. */
    public static final int KIND_DATAGRAM_FEC_REPORT = 0x08;
    /** Flag on the kind: a timestamp follows. The client sets it until it has heard from the server. */
    public static final int FLAG_TIMESTAMP = 0x80;
    static final int KIND_MASK = 0x7f;

    /** A packet that opens a session must carry a timestamp this close to the server's clock. */
    public static final long MAX_CLOCK_SKEW_MILLIS = 30_000;
    /** Packet numbers this far behind the highest one seen are still accepted once (reordering). */
    public static final int REPLAY_WINDOW_BITS = 4096;

    static final byte[] CLIENT_TO_SERVER_LABEL = "ferry/1 udp c2s".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SERVER_TO_CLIENT_LABEL = "ferry/1 udp s2c".getBytes(StandardCharsets.US_ASCII);

    /** Bytes a packet adds around its body at most: header, kind, timestamp, tag. */
    public static int overhead(int tagLength) {
        return HEADER_LENGTH + KIND_LENGTH + TIMESTAMP_LENGTH + tagLength;
    }

    private PacketFormat() {
    }
}
