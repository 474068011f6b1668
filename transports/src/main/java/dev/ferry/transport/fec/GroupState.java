package dev.ferry.transport.fec;

/**
 * What a {@link FecDecoder} knows of one group in its window. Fixed-size and reused ({@link #reset}) as the window
 * moves, so tracking groups allocates nothing. Bit sets cover {@link FecFormat#MAX_GROUP_SHARDS} = 128 indexes.
 */
final class GroupState {
    int group;
    boolean inUse;
    /** Shape announced by the data shards: the k the sender planned, and m. -1 until a data shard arrives. */
    int plannedData;
    int plannedParity;
    /** Shape announced by the parity shards: the final k, m and the parity payload length S. -1 until one arrives. */
    int finalData;
    int parity;
    int paritySize;
    int deliveredCount;
    /** Distinct shards received, data and parity, for the loss statistics. */
    int received;
    int maxDataIndex;
    int maxDataLength;
    /** The group's copies were evicted or never granted: it can no longer be recovered. */
    boolean storageLost;
    /** Its copies while it may still need recovering; null otherwise. */
    ShardStore.Copies copies;
    private final long[] delivered = new long[2];
    private final long[] parityHeld = new long[2];

    void reset(int group) {
        this.group = group;
        inUse = true;
        plannedData = -1;
        plannedParity = 0;
        finalData = -1;
        parity = 0;
        paritySize = 0;
        deliveredCount = 0;
        received = 0;
        maxDataIndex = -1;
        maxDataLength = 0;
        storageLost = false;
        copies = null;
        delivered[0] = delivered[1] = 0;
        parityHeld[0] = parityHeld[1] = 0;
    }

    boolean delivered(int dataIndex) {
        return (delivered[dataIndex >>> 6] & 1L << dataIndex) != 0;
    }

    void markDelivered(int dataIndex) {
        delivered[dataIndex >>> 6] |= 1L << dataIndex;
        deliveredCount++;
    }

    /** Records parity shard j; false if it was already there. */
    boolean addParity(int j) {
        long bit = 1L << j;
        if ((parityHeld[j >>> 6] & bit) != 0) {
            return false;
        }
        parityHeld[j >>> 6] |= bit;
        return true;
    }

    /** Every data body of the group has been delivered (as far as its headers tell). */
    boolean complete() {
        int k = finalData >= 0 ? finalData : plannedData;
        return k > 0 && deliveredCount >= k;
    }

    /** Some data shard is known to be missing: below the final k, or below the highest data index seen. */
    boolean hasGap() {
        int k = finalData >= 0 ? finalData : maxDataIndex + 1;
        return deliveredCount < k;
    }

    /**
     * Shards the sender sent, as far as this receiver can tell: k + m once a parity header told the final k;
     * otherwise the data shards up to the highest index seen plus the planned parity (a group closed early whose
     * parity was all lost would be over-counted by the planned k, so that is not used).
     */
    int sentEstimate() {
        if (finalData >= 0) {
            return finalData + parity;
        }
        return maxDataIndex + 1 + plannedParity;
    }
}
