package dev.ferry.transport.fec;

import java.util.Arrays;
import java.util.Objects;

/**
 * The receiver's side of FEC: takes shards ({@link FecFormat}) in any order, duplicates included, passes each data
 * body up in the call that brought it, and when a group has lost data shards but holds k of its shards, rebuilds the
 * missing bodies and passes them up too. Every body is delivered at most once while its group is in the window.
 * Each group is decoded with the shape its own headers announce, so the sender may use any shape and change it.
 *
 * <p>Memory is bounded by {@link DecoderLimits} whatever arrives: a fixed ring of group states, at most
 * {@code maxOpenGroups} groups holding copies, at most {@code maxBufferedBytes} of copies, plus fixed scratch.
 *
 * <p>One thread only; not re-entrant ({@link IllegalStateException} if a sink calls back). The caller's shard array
 * is read during the call only.
 */
public final class FecDecoder {
    private final DecoderLimits limits;
    private final GroupWindow window;
    private final ShardStore store;
    private final CodecCache codecs = new CodecCache(16);
    // Recovery workspace, sized once: the chosen shards and where their prefix and body parts start.
    private final int[] present = new int[FecFormat.MAX_GROUP_SHARDS];
    private final byte[][] prefixSrc = new byte[FecFormat.MAX_GROUP_SHARDS][];
    private final int[] prefixOff = new int[FecFormat.MAX_GROUP_SHARDS];
    private final byte[][] bodySrc = new byte[FecFormat.MAX_GROUP_SHARDS][];
    private final int[] bodyOff = new int[FecFormat.MAX_GROUP_SHARDS];
    private final byte[] dataPrefixes = new byte[FecFormat.LENGTH_PREFIX * FecFormat.MAX_GROUP_SHARDS];
    private final byte[] rebuiltPrefixes = new byte[FecFormat.LENGTH_PREFIX * FecFormat.MAX_GROUP_SHARDS];
    private final byte[] rebuilt;
    private boolean busy;

    private long recovered;
    private long givenUp;
    private long malformed;
    private long stale;
    private long duplicates;
    private long shardsReceived;
    private long shardsSent;

    public FecDecoder(DecoderLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.window = new GroupWindow(limits.groupWindow(), this::retire);
        this.store = new ShardStore(limits);
        this.rebuilt = new byte[limits.maxBodyLength()];
    }

    /**
     * Takes one shard, {@code buf[off ..+len)}. Returns false, and counts it, if the shard is malformed (bad header,
     * bad length, or inconsistent with its group's other shards; nothing is delivered from it), or if it completed a
     * recovery whose rebuilt length prefixes are impossible (the group is then given up). Stale and duplicate shards
     * are well-formed: true, counted, ignored.
     */
    public boolean onShard(byte[] buf, int off, int len, BodySink sink) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (busy) {
            throw new IllegalStateException("FecDecoder is not re-entrant: a sink called back into it");
        }
        busy = true;
        try {
            return accept(buf, off, len, sink);
        } finally {
            busy = false;
        }
    }

    private boolean accept(byte[] buf, int off, int len, BodySink sink) {
        if (len < FecFormat.HEADER_LENGTH) {
            return reject();
        }
        int index = FecFormat.u8(buf, off + FecFormat.OFF_INDEX);
        int k = FecFormat.u8(buf, off + FecFormat.OFF_DATA_COUNT);
        int m = FecFormat.u8(buf, off + FecFormat.OFF_PARITY_COUNT);
        int payload = len - FecFormat.HEADER_LENGTH;
        if (k < 1 || k + m > FecFormat.MAX_GROUP_SHARDS || index >= k + m) {
            return reject();
        }
        boolean data = index < k;
        if (data ? payload > limits.maxBodyLength()
                : payload < FecFormat.LENGTH_PREFIX || payload > limits.bufferLength()) {
            return reject();
        }
        GroupState g = window.lookup(FecFormat.group(buf, off));
        if (g == null) {
            stale++;
            return true;
        }
        int at = off + FecFormat.HEADER_LENGTH;
        return data ? onData(g, index, k, m, buf, at, payload, sink) : onParity(g, index - k, k, m, buf, at, payload,
                sink);
    }

    private boolean onData(GroupState g, int index, int k, int m, byte[] buf, int at, int len, BodySink sink) {
        if (g.plannedData >= 0 && (k != g.plannedData || m != g.plannedParity)) {
            return reject();
        }
        if (g.finalData >= 0 && (index >= g.finalData || len > g.paritySize - FecFormat.LENGTH_PREFIX
                || k < g.finalData || m != g.parity)) {
            return reject();
        }
        if (g.delivered(index)) {
            duplicates++;
            return true;
        }
        g.plannedData = k;
        g.plannedParity = m;
        g.markDelivered(index);
        g.received++;
        g.maxDataIndex = Math.max(g.maxDataIndex, index);
        g.maxDataLength = Math.max(g.maxDataLength, len);
        boolean complete = g.complete();
        boolean worthKeeping = !complete && (m > 0 || g.finalData >= 0);
        if (worthKeeping) {
            store.store(g, index, buf, at, len);
        }
        sink.body(buf, at, len);
        if (complete) {
            store.release(g);
            return true;
        }
        return tryRecover(g, sink);
    }

    private boolean onParity(GroupState g, int j, int k, int m, byte[] buf, int at, int len, BodySink sink) {
        if (g.finalData >= 0) {
            if (k != g.finalData || m != g.parity || len != g.paritySize) {
                return reject();
            }
        } else if (g.maxDataIndex >= k || g.maxDataLength > len - FecFormat.LENGTH_PREFIX
                || (g.plannedData >= 0 && (k > g.plannedData || m != g.plannedParity))) {
            return reject();
        }
        if (!g.addParity(j)) {
            duplicates++;
            return true;
        }
        g.finalData = k;
        g.parity = m;
        g.paritySize = len;
        g.received++;
        if (g.complete()) {
            store.release(g);
            return true;
        }
        store.store(g, k + j, buf, at, len);
        return tryRecover(g, sink);
    }

    /** Rebuilds the missing data bodies once the group holds k shards; prefixes are all checked before any delivery. */
    private boolean tryRecover(GroupState g, BodySink sink) {
        int k = g.finalData;
        ShardStore.Copies c = g.copies;
        if (k < 0 || c == null || c.count < k) {
            return true;
        }
        int bodyLength = g.paritySize - FecFormat.LENGTH_PREFIX;
        int chosen = 0;
        for (int i = 0; i <= c.highest && chosen < k; i++) {
            byte[] shard = c.shards[i];
            if (shard == null) {
                continue;
            }
            present[chosen] = i;
            if (i < k) {
                // A stored body is as long as it arrived; the code sees it zero-padded to the group's length.
                Arrays.fill(shard, c.lengths[i], bodyLength, (byte) 0);
                FecFormat.writeU16(dataPrefixes, 2 * chosen, c.lengths[i]);
                prefixSrc[chosen] = dataPrefixes;
                prefixOff[chosen] = 2 * chosen;
                bodySrc[chosen] = shard;
                bodyOff[chosen] = 0;
            } else {
                prefixSrc[chosen] = shard;
                prefixOff[chosen] = 0;
                bodySrc[chosen] = shard;
                bodyOff[chosen] = FecFormat.LENGTH_PREFIX;
            }
            chosen++;
        }
        Recovery r = codecs.get(k, g.parity).recovery(present);
        for (int d = 0; d < k; d++) {
            if (!g.delivered(d)) {
                r.rebuild(d, prefixSrc, prefixOff, rebuiltPrefixes, 2 * d, FecFormat.LENGTH_PREFIX);
                if (FecFormat.u16(rebuiltPrefixes, 2 * d) > bodyLength) {
                    store.lose(g);
                    return reject();
                }
            }
        }
        for (int d = 0; d < k; d++) {
            if (!g.delivered(d)) {
                int len = FecFormat.u16(rebuiltPrefixes, 2 * d);
                r.rebuild(d, bodySrc, bodyOff, rebuilt, 0, len);
                g.markDelivered(d);
                recovered++;
                sink.body(rebuilt, 0, len);
            }
        }
        store.release(g);
        return true;
    }

    private void retire(GroupState g) {
        store.release(g);
        if (g.hasGap()) {
            givenUp++;
        }
        shardsReceived += g.received;
        shardsSent += g.sentEstimate();
    }

    private boolean reject() {
        malformed++;
        return false;
    }

    /** Data bodies rebuilt from parity and delivered. */
    public long recovered() {
        return recovered;
    }

    /** Groups that left the window with a data shard known missing and not rebuilt. */
    public long givenUp() {
        return givenUp;
    }

    /** Shards refused as malformed or inconsistent, and recoveries refused for impossible rebuilt lengths. */
    public long malformed() {
        return malformed;
    }

    /** Shards of groups too far behind the newest. */
    public long stale() {
        return stale;
    }

    /** Shards received again while their group was in the window. */
    public long duplicates() {
        return duplicates;
    }

    /**
     * Distinct shards received in the groups that have left the window so far. With {@link #shardsSent()} this is
     * the loss the sender's shards suffered, for a {@link LossEstimator} (reported back to the sender by the owner).
     */
    public long shardsReceived() {
        return shardsReceived;
    }

    /** Shards sent in the groups that have left the window so far, as far as their headers tell. */
    public long shardsSent() {
        return shardsSent;
    }

    /** Groups holding shard copies now; never above {@link DecoderLimits#maxOpenGroups()}. */
    public int openGroups() {
        return store.openGroups();
    }

    /** Bytes of shard buffers allocated; never above {@link DecoderLimits#maxBufferedBytes()}. */
    public long bufferedBytes() {
        return store.allocatedBytes();
    }

    /** Groups in the window now; never above {@link DecoderLimits#groupWindow()}. */
    int trackedGroups() {
        return window.tracked();
    }
}
