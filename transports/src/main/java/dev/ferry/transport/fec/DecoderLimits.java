package dev.ferry.transport.fec;

/**
 * What bounds a {@link FecDecoder}'s memory whatever it is fed.
 *
 * @param maxBodyLength longest data-shard body accepted (a parity payload may be 2 bytes longer); longer shards
 *     are malformed
 * @param maxOpenGroups most groups holding shard copies at once (the ones that may still need recovering); when a
 *     new group needs room the oldest loses its copies
 * @param groupWindow groups tracked at all, a power of two: a shard of a group this far or further behind the newest
 *     group seen is dropped as stale. It also bounds how late a shard may arrive and still count
 * @param maxBufferedBytes most bytes of shard copies at once; must hold one full group of
 *     {@link FecFormat#MAX_GROUP_SHARDS} shards of {@code maxBodyLength + 2} bytes
 */
public record DecoderLimits(int maxBodyLength, int maxOpenGroups, int groupWindow, int maxBufferedBytes) {
    public static final int DEFAULT_OPEN_GROUPS = 64;
    public static final int DEFAULT_GROUP_WINDOW = 256;
    public static final int DEFAULT_BUFFERED_BYTES = 4 << 20;

    public DecoderLimits {
        if (maxBodyLength < 1 || maxBodyLength > FecFormat.MAX_BODY_LENGTH) {
            throw new IllegalArgumentException("maxBodyLength must be in [1, " + FecFormat.MAX_BODY_LENGTH + "]: "
                    + maxBodyLength);
        }
        if (maxOpenGroups < 1) {
            throw new IllegalArgumentException("maxOpenGroups must be >= 1: " + maxOpenGroups);
        }
        if (groupWindow < 2 || groupWindow > 1 << 16 || Integer.bitCount(groupWindow) != 1) {
            throw new IllegalArgumentException("groupWindow must be a power of two in [2, 65536]: " + groupWindow);
        }
        long fullGroup = (long) FecFormat.MAX_GROUP_SHARDS * bufferLength(maxBodyLength);
        if (maxBufferedBytes < fullGroup) {
            throw new IllegalArgumentException("maxBufferedBytes must hold one full group (" + fullGroup
                    + " bytes): " + maxBufferedBytes);
        }
    }

    /** Defaults for bodies up to {@code maxBodyLength}: 64 open groups, a window of 256, 4 MiB (or one full group). */
    public static DecoderLimits forBodyLength(int maxBodyLength) {
        int fullGroup = FecFormat.MAX_GROUP_SHARDS * bufferLength(maxBodyLength);
        return new DecoderLimits(maxBodyLength, DEFAULT_OPEN_GROUPS, DEFAULT_GROUP_WINDOW,
                Math.max(DEFAULT_BUFFERED_BYTES, fullGroup));
    }

    /** Size of one shard copy: a body or a parity payload. */
    int bufferLength() {
        return bufferLength(maxBodyLength);
    }

    private static int bufferLength(int maxBodyLength) {
        return maxBodyLength + FecFormat.LENGTH_PREFIX;
    }
}
