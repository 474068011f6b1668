package dev.ferry.transport.kcp.engine;

/**
 * The receive side: out-of-order segments indexed by sn, and the in-order segments the application has yet to read.
 *
 * <p>What must hold: stored out-of-order sns lie in [next, next + window), so the ring (size >= window) never
 * collides; at most {@code window} segments wait to be read, and the advertised window is what is left of that, so
 * a slow reader closes the window (backpressure). Segments move from out-of-order to readable only while the
 * readable queue has room, so both together hold at most twice the window.
 */
final class ReceiveBuffer {
    private final int window;
    private final SegmentPool pool;
    private final SequenceRing outOfOrder;
    private final SegmentDeque readable;
    private int next;
    /** Bytes of the first readable segment already read. */
    private int headOffset;
    private int readableBytes;

    ReceiveBuffer(int window, SegmentPool pool) {
        this.window = window;
        this.pool = pool;
        this.outOfOrder = new SequenceRing(window);
        this.readable = new SegmentDeque(window);
    }

    /** The next sn expected in order: the una we advertise. */
    int next() {
        return next;
    }

    /** Segments we still have room for, the wnd we advertise. */
    int freeWindow() {
        return window - readable.size();
    }

    int readableBytes() {
        return readableBytes;
    }

    /**
     * Whether a PUSH with this sn gets an ack: anything below the window's end, duplicates of delivered segments
     * included (their ack stops the peer's retransmissions); sns beyond the window are dropped unacked.
     */
    boolean acks(int sn) {
        return sn - (next + window) < 0;
    }

    /** Stores a new in-window segment; returns false for duplicates and sns outside [next, next + window). */
    boolean accept(int sn, byte[] src, int off, int len) {
        if (sn - next < 0 || sn - (next + window) >= 0 || outOfOrder.get(sn) != null) {
            return false;
        }
        Segment s = pool.acquire();
        System.arraycopy(src, off, s.data, 0, len);
        s.len = len;
        s.sn = sn;
        outOfOrder.put(sn, s);
        promote();
        return true;
    }

    /** Copies up to {@code len} in-order bytes out; frees the segments read through. */
    int read(byte[] dst, int off, int len) {
        int copied = 0;
        while (copied < len && !readable.isEmpty()) {
            Segment s = readable.peekFirst();
            int n = Math.min(s.len - headOffset, len - copied);
            System.arraycopy(s.data, headOffset, dst, off + copied, n);
            copied += n;
            headOffset += n;
            if (headOffset == s.len) {
                readable.pollFirst();
                pool.release(s);
                headOffset = 0;
            }
        }
        readableBytes -= copied;
        if (copied > 0) {
            promote();
        }
        return copied;
    }

    /** Moves the contiguous run at {@code next} to the readable queue while it has room. */
    private void promote() {
        while (readable.size() < window) {
            Segment s = outOfOrder.remove(next);
            if (s == null) {
                return;
            }
            next++;
            if (s.len == 0) {
                // An empty PUSH only consumes its sn; queueing it would hold window with nothing to read.
                pool.release(s);
            } else {
                readable.addLast(s);
                readableBytes += s.len;
            }
        }
    }
}
