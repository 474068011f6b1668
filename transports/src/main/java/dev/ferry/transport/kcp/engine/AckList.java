package dev.ferry.transport.kcp.engine;

/** Acks owed to the peer: (sn, echoed ts) pairs in arrival order, at most {@link #capacity()} of them. */
final class AckList {
    private final int[] sns;
    private final int[] timestamps;
    private int size;

    AckList(int capacity) {
        sns = new int[capacity];
        timestamps = new int[capacity];
    }

    /** The caller flushes first when {@link #isFull()}. */
    void add(int sn, int ts) {
        sns[size] = sn;
        timestamps[size] = ts;
        size++;
    }

    boolean isFull() {
        return size == sns.length;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    int capacity() {
        return sns.length;
    }

    int sn(int i) {
        return sns[i];
    }

    int ts(int i) {
        return timestamps[i];
    }

    void clear() {
        size = 0;
    }
}
