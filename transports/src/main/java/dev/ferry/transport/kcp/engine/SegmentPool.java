package dev.ferry.transport.kcp.engine;

import java.util.Arrays;

/**
 * Free segments kept for reuse so steady traffic allocates nothing. Holds at most {@code limit} segments (what the
 * engine's buffers can hold at once), so the pool never grows past the engine's own peak.
 */
final class SegmentPool {
    private static final int INITIAL_SLOTS = 64;

    private final int segmentCapacity;
    private final int limit;
    /** Grows by doubling up to {@code limit}, so large windows cost nothing until traffic needs them. */
    private Segment[] free;
    private int size;

    SegmentPool(int segmentCapacity, int limit) {
        this.segmentCapacity = segmentCapacity;
        this.limit = limit;
        this.free = new Segment[Math.min(INITIAL_SLOTS, limit)];
    }

    /** A cleared segment whose payload array has room for one mss. */
    Segment acquire() {
        if (size == 0) {
            return new Segment(segmentCapacity);
        }
        Segment s = free[--size];
        free[size] = null;
        return s;
    }

    /** Takes back a segment no buffer references any more. */
    void release(Segment s) {
        if (size == free.length && size < limit) {
            free = Arrays.copyOf(free, (int) Math.min(2L * size, limit));
        }
        if (size < free.length) {
            s.clear();
            free[size++] = s;
        }
    }
}
