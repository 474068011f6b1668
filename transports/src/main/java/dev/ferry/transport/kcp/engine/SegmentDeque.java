package dev.ferry.transport.kcp.engine;

/** A fixed-capacity FIFO of segments on a power-of-two ring; the caller never adds past {@link #capacity()}. */
final class SegmentDeque {
    private final Segment[] slots;
    private final int mask;
    private final int capacity;
    private int head;
    private int size;

    SegmentDeque(int capacity) {
        this.capacity = capacity;
        this.slots = new Segment[SequenceRing.powerOfTwoAtLeast(capacity)];
        this.mask = slots.length - 1;
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void addLast(Segment s) {
        if (size == capacity) {
            throw new IllegalStateException("segment queue full: " + capacity);
        }
        slots[(head + size) & mask] = s;
        size++;
    }

    Segment peekFirst() {
        return size == 0 ? null : slots[head];
    }

    Segment peekLast() {
        return size == 0 ? null : slots[(head + size - 1) & mask];
    }

    Segment pollFirst() {
        if (size == 0) {
            return null;
        }
        Segment s = slots[head];
        slots[head] = null;
        head = (head + 1) & mask;
        size--;
        return s;
    }
}
