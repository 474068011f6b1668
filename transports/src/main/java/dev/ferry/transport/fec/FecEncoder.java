package dev.ferry.transport.fec;

import java.util.Arrays;
import java.util.Objects;

/**
 * The sender's side of FEC, one per session direction. Each body becomes a data shard at once (nothing waits for a
 * group to fill); once {@code k} data shards are out, the {@code m} parity shards follow in the same call.
 * {@link #closeGroup} ends a group early with parity over what it holds, so the owner calls it at the end of each
 * flush burst (or from a short timer) and a lone small request is protected without waiting for traffic that may
 * never come. Layout: {@link FecFormat}.
 *
 * <p>The shape comes from {@link #reshape} and applies from the next group on ({@code --fec auto}); a group keeps the
 * shape its first data shard announced.
 *
 * <p>One thread only; not re-entrant (a sink that calls back gets {@link IllegalStateException}). Buffers are sized
 * once per shape and reused: no allocation per shard in steady state. {@code body} arrays are copied, never kept.
 */
public final class FecEncoder {
    private final int maxBodyLength;
    private final CodecCache codecs = new CodecCache(8);
    private final int[] lengths = new int[FecFormat.MAX_GROUP_SHARDS];
    /** Data shards of the open group, header at 0 and body at HEADER_LENGTH, zero-padded before coding. */
    private byte[][] data = new byte[0][];
    /** The u16 length prefixes of the open group's data shards, coded apart from the bodies. */
    private byte[][] prefixes = new byte[0][];
    /** Parity shards: header at 0, coded vector at HEADER_LENGTH. */
    private byte[][] parity = new byte[0][];
    private FecShape next;
    private FecShape current;
    private int group;
    private int collected;
    private boolean busy;

    /**
     * @param maxBodyLength longest body {@link #onData} accepts, at most {@link FecFormat#MAX_BODY_LENGTH}; a parity
     *     shard is then at most {@link FecFormat#parityShardLength} of it
     * @param firstGroup number of the first group (0 is fine: group numbers only need to be consecutive)
     */
    public FecEncoder(FecShape shape, int maxBodyLength, int firstGroup) {
        if (maxBodyLength < 1 || maxBodyLength > FecFormat.MAX_BODY_LENGTH) {
            throw new IllegalArgumentException("maxBodyLength must be in [1, " + FecFormat.MAX_BODY_LENGTH + "]: "
                    + maxBodyLength);
        }
        this.maxBodyLength = maxBodyLength;
        this.next = Objects.requireNonNull(shape, "shape");
        this.current = shape;
        this.group = firstGroup;
    }

    /** The shape for the groups that start after this call; the open group, if any, keeps its own. */
    public void reshape(FecShape shape) {
        next = Objects.requireNonNull(shape, "shape");
    }

    /** The shape of the open group, or of the next one when none is open. */
    public FecShape shape() {
        return collected == 0 ? next : current;
    }

    /** Number of the open group (or of the next one when none is open). */
    public int group() {
        return group;
    }

    /** Data shards sent in the open group so far; 0 when no group is open. */
    public int pendingDataShards() {
        return collected;
    }

    /** Sends {@code body[off ..+len)} as a data shard now, and the group's parity if this shard completes it. */
    public void onData(byte[] body, int off, int len, ShardSink sink) {
        Objects.checkFromIndexSize(off, len, body.length);
        if (len > maxBodyLength) {
            throw new IllegalArgumentException("body of " + len + " bytes exceeds maxBodyLength " + maxBodyLength);
        }
        enter();
        try {
            if (collected == 0) {
                startGroup();
            }
            int i = collected++;
            byte[] shard = data[i];
            FecFormat.writeHeader(shard, 0, group, i, current.dataShards(), current.parityShards());
            System.arraycopy(body, off, shard, FecFormat.HEADER_LENGTH, len);
            lengths[i] = len;
            sink.shard(shard, 0, FecFormat.HEADER_LENGTH + len);
            if (collected == current.dataShards()) {
                finishGroup(sink);
            }
        } finally {
            busy = false;
        }
    }

    /**
     * Ends the open group now: sends parity over the {@code k' = }{@link #pendingDataShards()} data shards sent so far
     * (the parity headers say k'). Does nothing when no group is open.
     */
    public void closeGroup(ShardSink sink) {
        enter();
        try {
            if (collected > 0) {
                finishGroup(sink);
            }
        } finally {
            busy = false;
        }
    }

    private void enter() {
        if (busy) {
            throw new IllegalStateException("FecEncoder is not re-entrant: a sink called back into it");
        }
        busy = true;
    }

    private void startGroup() {
        current = next;
        int k = current.dataShards();
        int m = current.parityShards();
        if (data.length < k) {
            int old = data.length;
            data = Arrays.copyOf(data, k);
            prefixes = Arrays.copyOf(prefixes, k);
            for (int i = old; i < k; i++) {
                data[i] = new byte[FecFormat.HEADER_LENGTH + maxBodyLength];
                prefixes[i] = new byte[FecFormat.LENGTH_PREFIX];
            }
        }
        if (parity.length < m) {
            int old = parity.length;
            parity = Arrays.copyOf(parity, m);
            for (int j = old; j < m; j++) {
                parity[j] = new byte[FecFormat.parityShardLength(maxBodyLength)];
            }
        }
    }

    /** Moves to the next group first, so a sink that throws still leaves the encoder consistent. */
    private void finishGroup(ShardSink sink) {
        int k = collected;
        int m = current.parityShards();
        int number = group;
        group++;
        collected = 0;
        if (m == 0) {
            return;
        }
        int longest = 0;
        for (int i = 0; i < k; i++) {
            longest = Math.max(longest, lengths[i]);
        }
        for (int i = 0; i < k; i++) {
            Arrays.fill(data[i], FecFormat.HEADER_LENGTH + lengths[i], FecFormat.HEADER_LENGTH + longest, (byte) 0);
            FecFormat.writeU16(prefixes[i], 0, lengths[i]);
        }
        ReedSolomon rs = codecs.get(k, m);
        rs.encodeParity(prefixes, 0, parity, FecFormat.HEADER_LENGTH, FecFormat.LENGTH_PREFIX);
        rs.encodeParity(data, FecFormat.HEADER_LENGTH, parity, FecFormat.HEADER_LENGTH + FecFormat.LENGTH_PREFIX,
                longest);
        int shardLength = FecFormat.parityShardLength(longest);
        for (int j = 0; j < m; j++) {
            FecFormat.writeHeader(parity[j], 0, number, k + j, k, m);
            sink.shard(parity[j], 0, shardLength);
        }
    }
}
