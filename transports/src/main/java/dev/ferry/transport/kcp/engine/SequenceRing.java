package dev.ferry.transport.kcp.engine;

/**
 * Segments indexed directly by sequence number, for O(1) ack and insert. Holds a window of consecutive sns
 * [base, base + window) whose size never exceeds the ring's length, so two live sns never share a slot; the ring
 * length is a power of two, which divides 2^32, so the index stays right across sn wrap-around.
 */
final class SequenceRing {
    private final Segment[] slots;
    private final int mask;

    SequenceRing(int window) {
        this.slots = new Segment[powerOfTwoAtLeast(window)];
        this.mask = slots.length - 1;
    }

    Segment get(int sn) {
        return slots[sn & mask];
    }

    void put(int sn, Segment s) {
        slots[sn & mask] = s;
    }

    /** Empties the slot of {@code sn} and returns what it held (null if nothing). */
    Segment remove(int sn) {
        int i = sn & mask;
        Segment s = slots[i];
        slots[i] = null;
        return s;
    }

    static int powerOfTwoAtLeast(int n) {
        int p = 1;
        while (p < n) {
            p <<= 1;
        }
        return p;
    }
}
