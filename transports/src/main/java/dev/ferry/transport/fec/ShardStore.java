package dev.ferry.transport.fec;

import java.util.ArrayDeque;

/**
 * The decoder's copies of shards, kept while a group may still need recovering. Bounded twice: at most
 * {@code maxOpenGroups} groups hold copies, and copies come from a pool of at most
 * {@code maxBufferedBytes / bufferLength} equal buffers, allocated on first need and then reused (no allocation per
 * shard in steady state). When either bound is hit the oldest group holding copies loses them for good
 * ({@link GroupState#storageLost}); a group older than every holder is the one refused instead.
 */
final class ShardStore {
    /** One group's copies, by shard index; recycled through {@link #freeCopies}. */
    static final class Copies {
        final byte[][] shards = new byte[FecFormat.MAX_GROUP_SHARDS][];
        final int[] lengths = new int[FecFormat.MAX_GROUP_SHARDS];
        int count;
        int highest = -1;
        GroupState owner;
        int position;
    }

    private final int bufferLength;
    private final int maxBuffers;
    private final ArrayDeque<byte[]> freeBuffers = new ArrayDeque<>();
    private int allocatedBuffers;
    private final Copies[] open;
    private int openCount;
    private final ArrayDeque<Copies> freeCopies = new ArrayDeque<>();

    ShardStore(DecoderLimits limits) {
        this.bufferLength = limits.bufferLength();
        this.maxBuffers = limits.maxBufferedBytes() / bufferLength;
        this.open = new Copies[limits.maxOpenGroups()];
    }

    /**
     * Copies {@code src[off ..+len)} as shard {@code index} of {@code g}. False, with {@code g.storageLost} set, when
     * no room can be made without evicting a younger group. {@code src} is not kept.
     */
    boolean store(GroupState g, int index, byte[] src, int off, int len) {
        if (g.storageLost) {
            return false;
        }
        if (g.copies == null && !open(g)) {
            return false;
        }
        byte[] buf = takeBuffer();
        while (buf == null) {
            Copies victim = oldestExcept(g);
            if (victim == null) {
                lose(g);
                return false;
            }
            lose(victim.owner);
            buf = takeBuffer();
        }
        System.arraycopy(src, off, buf, 0, len);
        Copies c = g.copies;
        c.shards[index] = buf;
        c.lengths[index] = len;
        c.count++;
        c.highest = Math.max(c.highest, index);
        return true;
    }

    /** Gives back {@code g}'s copies, if any (the group is complete or leaving the window). */
    void release(GroupState g) {
        Copies c = g.copies;
        if (c == null) {
            return;
        }
        for (int i = 0; i <= c.highest; i++) {
            if (c.shards[i] != null) {
                freeBuffers.push(c.shards[i]);
                c.shards[i] = null;
            }
        }
        c.count = 0;
        c.highest = -1;
        c.owner = null;
        Copies last = open[--openCount];
        open[c.position] = last;
        last.position = c.position;
        open[openCount] = null;
        freeCopies.push(c);
        g.copies = null;
    }

    /** Releases {@code g}'s copies and marks it unrecoverable. */
    void lose(GroupState g) {
        release(g);
        g.storageLost = true;
    }

    int openGroups() {
        return openCount;
    }

    /** Bytes of buffers allocated (free or in use): never above {@code maxBufferedBytes}. */
    long allocatedBytes() {
        return (long) allocatedBuffers * bufferLength;
    }

    private boolean open(GroupState g) {
        if (openCount == open.length) {
            Copies oldest = oldestExcept(g);
            if (oldest.owner.group - g.group > 0) {
                g.storageLost = true;
                return false;
            }
            lose(oldest.owner);
        }
        Copies c = freeCopies.isEmpty() ? new Copies() : freeCopies.pop();
        c.owner = g;
        c.position = openCount;
        open[openCount++] = c;
        g.copies = c;
        return true;
    }

    private byte[] takeBuffer() {
        if (!freeBuffers.isEmpty()) {
            return freeBuffers.pop();
        }
        if (allocatedBuffers < maxBuffers) {
            allocatedBuffers++;
            return new byte[bufferLength];
        }
        return null;
    }

    private Copies oldestExcept(GroupState g) {
        Copies oldest = null;
        for (int i = 0; i < openCount; i++) {
            Copies c = open[i];
            if (c.owner != g && (oldest == null || c.owner.group - oldest.owner.group < 0)) {
                oldest = c;
            }
        }
        return oldest;
    }
}
