package dev.ferry.transport.fec;

/**
 * The framing of a FEC shard: with FEC on, every datagram body the session sends is one shard. Big-endian.
 * <pre>
 *  0                   4         5              6                7
 * +-------------------+---------+--------------+----------------+-----------------------------------+
 * | group (u32)       | index   | data count k | parity count m | payload                           |
 * +-------------------+---------+--------------+----------------+-----------------------------------+
 *
 * data shard,   index i &lt; k:   payload = body_i, the original datagram body, unchanged
 * parity shard, index k + j:   payload = parity j over the k vectors
 *
 *   vector_i = +--------------+------------+------------------+
 *              | len_i (u16)  | body_i     | zero padding     |   each S = 2 + max(len_i) bytes long,
 *              +--------------+------------+------------------+   so every parity payload is S bytes
 * </pre>
 * <ul>
 *   <li>group: numbers the sender's groups, consecutive per direction, wrapping at 2^32 (compare by the sign of the
 *       32-bit difference).</li>
 *   <li>k, m: the group's shape; groups may differ. {@code 1 <= k}, {@code k + m <= }{@link #MAX_GROUP_SHARDS},
 *       {@code index < k + m}. Data shards leave before the sender knows whether the group will be closed early,
 *       so a data shard carries the k the sender <em>planned</em>; a parity shard carries the final k (at most
 *       the planned one) that its parity covers. m is the same in every shard of a group.</li>
 *   <li>parity: Reed-Solomon over GF(2^8) as defined by {@link ReedSolomon}; the u16 length prefix is what lets a
 *       receiver cut a rebuilt body out of its padding.</li>
 * </ul>
 */
public final class FecFormat {
    public static final int OFF_GROUP = 0;
    public static final int OFF_INDEX = 4;
    public static final int OFF_DATA_COUNT = 5;
    public static final int OFF_PARITY_COUNT = 6;
    public static final int HEADER_LENGTH = 7;
    /** The u16 body length at the start of each coded vector (and so of each parity payload). */
    public static final int LENGTH_PREFIX = 2;
    /** Most shards in one group. Below the code's 256 to bound a receiver's work and memory per group. */
    public static final int MAX_GROUP_SHARDS = 128;
    /** Longest body the length prefix can describe. */
    public static final int MAX_BODY_LENGTH = 0xFFFF;

    private FecFormat() {
    }

    /** Bytes FEC adds to a data shard. */
    public static int dataOverhead() {
        return HEADER_LENGTH;
    }

    /** Length of a parity shard of a group whose longest body is {@code maxBodyLength}. */
    public static int parityShardLength(int maxBodyLength) {
        return HEADER_LENGTH + LENGTH_PREFIX + maxBodyLength;
    }

    static void writeHeader(byte[] b, int off, int group, int index, int dataCount, int parityCount) {
        b[off] = (byte) (group >>> 24);
        b[off + 1] = (byte) (group >>> 16);
        b[off + 2] = (byte) (group >>> 8);
        b[off + 3] = (byte) group;
        b[off + OFF_INDEX] = (byte) index;
        b[off + OFF_DATA_COUNT] = (byte) dataCount;
        b[off + OFF_PARITY_COUNT] = (byte) parityCount;
    }

    static int group(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    static void writeU16(byte[] b, int off, int value) {
        b[off] = (byte) (value >>> 8);
        b[off + 1] = (byte) value;
    }
}
