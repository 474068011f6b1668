package dev.ferry.tunnel.wire;

/**
 * Every size, offset, flag and code of the frame layout, in one place. Nothing else in the code base spells a wire
 * size as a literal. All integers are big-endian.
 *
 * <pre>
 * Frame header (8 bytes), then {@code length} payload bytes:
 *
 *  0        1        2                                  6                 8
 * +--------+--------+----------------------------------+-----------------+
 * |  type  | flags  |          stream id (u32)         |  length (u16)   |  payload (length bytes)
 * +--------+--------+----------------------------------+-----------------+
 *
 * flags: 0x01 FIN, meaningful on OPEN only; senders set every other bit to 0, receivers ignore them.
 * length &lt;= MAX_PAYLOAD (16384) for every frame.
 *
 * Payloads:
 *   OPEN           destination, then first bytes (the rest of the payload, may be empty)
 *   OPEN_RESULT    status u8                                          exactly 1 byte
 *   DATA           stream bytes                                       at least 1 byte
 *   FIN            -                                                  exactly 0 bytes
 *   RESET          reason u8                                          exactly 1 byte
 *   WINDOW_UPDATE  increment u32 (1 .. 2^31-1)                        exactly 4 bytes
 *   PING, PONG     opaque u64                                         exactly 8 bytes
 *   CONTROL        subtype u8, then its body
 *   DATAGRAM       address (a destination, below), then the datagram (may be empty); the id field is the flow id
 *
 * Destination:
 * +-----------+---------------------------------------+-------------+
 * | addr type |  address                              | port (u16)  |
 * +-----------+---------------------------------------+-------------+
 *    0x01 IPv4   4 bytes
 *    0x04 IPv6   16 bytes
 *    0x03 name   length u8 (1..255), then that many bytes of ASCII (IDNA) name
 *
 * CONTROL bodies:
 *   0x01 LOAD_REPORT  active streams u32 | weight u16 | draining u8 (0/1)   7 bytes
 *   0x02 GO_AWAY      last stream id u32                                    4 bytes
 * </pre>
 */
public final class WireFormat {

    /** Bytes in every frame header. */
    public static final int HEADER_LENGTH = 8;
    public static final int TYPE_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int STREAM_ID_OFFSET = 2;
    public static final int LENGTH_OFFSET = 6;

    /** Largest payload of any frame; a header announcing more is a protocol error. */
    public static final int MAX_PAYLOAD = 16 * 1024;

    /** On OPEN: the opener half-closed right after the first bytes. */
    public static final int FLAG_FIN = 0x01;

    /** The stream id of connection-level frames (PING, PONG, CONTROL). */
    public static final int CONNECTION_STREAM_ID = 0;

    public static final int OPEN_RESULT_LENGTH = 1;
    public static final int FIN_LENGTH = 0;
    public static final int RESET_LENGTH = 1;
    public static final int WINDOW_UPDATE_LENGTH = 4;
    /** PING and PONG payload: one opaque u64. */
    public static final int PING_LENGTH = 8;
    /** Smallest DATA payload; an empty DATA frame is a protocol error. */
    public static final int MIN_DATA_LENGTH = 1;

    public static final int MIN_WINDOW_INCREMENT = 1;
    public static final int MAX_WINDOW_INCREMENT = Integer.MAX_VALUE;

    public static final int ADDR_TYPE_LENGTH = 1;
    public static final int ADDR_IPV4 = 0x01;
    public static final int ADDR_DOMAIN = 0x03;
    public static final int ADDR_IPV6 = 0x04;
    public static final int IPV4_LENGTH = 4;
    public static final int IPV6_LENGTH = 16;
    /** The byte in front of a domain name holding its length. */
    public static final int DOMAIN_LENGTH_LENGTH = 1;
    public static final int MIN_DOMAIN_LENGTH = 1;
    public static final int MAX_DOMAIN_LENGTH = 255;
    public static final int PORT_LENGTH = 2;

    public static final int CONTROL_SUBTYPE_LENGTH = 1;
    public static final int CONTROL_LOAD_REPORT = 0x01;
    public static final int CONTROL_GO_AWAY = 0x02;
    /** LOAD_REPORT body: active streams u32, weight u16, draining u8. */
    public static final int LOAD_REPORT_LENGTH = 4 + 2 + 1;
    /** GO_AWAY body: last stream id u32. */
    public static final int GO_AWAY_LENGTH = 4;
    public static final int MAX_WEIGHT = 0xFFFF;

    private WireFormat() {}

    /**
     * How many first bytes fit into one OPEN frame towards {@code destination}; the opener sends the rest as DATA.
     */
    public static int maxOpenFirstBytes(Destination destination) {
        return MAX_PAYLOAD - DestinationCodec.encodedLength(destination);
    }

    /** The largest datagram one DATAGRAM frame carries for {@code address}; larger ones are not sent. */
    public static int maxDatagramPayload(Destination address) {
        return MAX_PAYLOAD - DestinationCodec.encodedLength(address);
    }
}
