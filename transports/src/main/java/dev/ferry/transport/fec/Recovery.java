package dev.ferry.transport.fec;

/**
 * How to rebuild each data shard from one fixed set of k present shards: the inverse of the k rows of the encoding
 * matrix those shards came from. Obtained from {@link ReedSolomon#recovery}; immutable once built.
 */
public final class Recovery {
    /** {@code rows[d][a]}: weight of the a-th present shard in data shard d. */
    private final byte[][] rows;

    Recovery(byte[][] rows) {
        this.rows = rows;
    }

    /**
     * Writes data shard {@code dataIndex} to {@code dst[dstOff ..+len)} from the present shards:
     * {@code src[a][srcOff[a] ..+len)} is the a-th present shard (the order given to {@link ReedSolomon#recovery}).
     * Every present shard must be readable for {@code len} bytes (zero-padded where it is shorter); {@code dst} must
     * not overlap them. Nothing is kept after the call.
     */
    public void rebuild(int dataIndex, byte[][] src, int[] srcOff, byte[] dst, int dstOff, int len) {
        byte[] row = rows[dataIndex];
        boolean written = false;
        for (int a = 0; a < row.length; a++) {
            int c = row[a] & 0xFF;
            if (c == 0) {
                continue;
            }
            if (written) {
                GaloisField.mulAdd(c, src[a], srcOff[a], dst, dstOff, len);
            } else {
                GaloisField.mulSet(c, src[a], srcOff[a], dst, dstOff, len);
                written = true;
            }
        }
        if (!written) {
            java.util.Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
        }
    }
}
