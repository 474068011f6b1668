package dev.ferry.transport.kcp.engine;

/**
 * The send side: bytes queued by the application, packed into full-mss segments (stream mode), and the segments in
 * flight, indexed by sn for O(1) acks.
 *
 * <p>What must hold: {@code una} is the lowest unacknowledged sn (== {@code next} when nothing flies); in-flight sns
 * lie in [una, next) and {@code next - una <= sendWindow}, the ring's size; queued plus in-flight segments never
 * exceed twice the send window. {@code earliestResend} is never later than the true earliest RTO expiry among
 * in-flight segments (acks may leave it early, which costs one idle scan, never a late retransmission).
 */
final class SendBuffer {
    /** Fast retransmissions of one segment before only its RTO may resend it. */
    static final int FAST_RETRANSMIT_LIMIT = 5;

    private final int mss;
    private final int queueLimit;
    private final int fastResend;
    private final int deadLink;
    private final boolean nodelay;
    private final SegmentPool pool;
    private final SegmentDeque queue;
    private final SequenceRing flight;
    private final RttEstimator rtt;
    private final CongestionControl congestion;
    private final KcpCounters counters;

    private int una;
    private int next;
    private int inFlight;
    private long earliestResend = Long.MAX_VALUE;
    private boolean fastDue;
    private boolean dead;

    SendBuffer(KcpConfig config, SegmentPool pool, RttEstimator rtt, CongestionControl congestion,
               KcpCounters counters) {
        this.mss = config.mss();
        this.queueLimit = 2 * config.sendWindow();
        this.fastResend = config.fastResend();
        this.deadLink = config.deadLinkTransmissions();
        this.nodelay = config.nodelay();
        this.pool = pool;
        this.queue = new SegmentDeque(queueLimit);
        this.flight = new SequenceRing(config.sendWindow());
        this.rtt = rtt;
        this.congestion = congestion;
        this.counters = counters;
    }

    /** Queues up to {@code len} bytes, topping up the last queued segment first; returns how many fit. */
    int write(byte[] src, int off, int len) {
        int written = 0;
        Segment tail = queue.peekLast();
        if (tail != null && tail.len < mss) {
            int n = Math.min(mss - tail.len, len);
            System.arraycopy(src, off, tail.data, tail.len, n);
            tail.len += n;
            written = n;
        }
        while (written < len && waiting() < queueLimit) {
            Segment s = pool.acquire();
            int n = Math.min(mss, len - written);
            System.arraycopy(src, off + written, s.data, 0, n);
            s.len = n;
            queue.addLast(s);
            written += n;
        }
        return written;
    }

    /** Bytes {@link #write} would take now. */
    int capacity() {
        long room = (long) (queueLimit - waiting()) * mss;
        Segment tail = queue.peekLast();
        if (tail != null) {
            room += mss - tail.len;
        }
        return (int) Math.min(room, Integer.MAX_VALUE);
    }

    int waiting() {
        return queue.size() + inFlight;
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** True when queued data could leave under {@code limit} segments in flight. */
    boolean canSendNew(int limit) {
        return !queue.isEmpty() && next - una < limit;
    }

    int una() {
        return una;
    }

    /** The sn the next new segment gets. */
    int next() {
        return next;
    }

    /** True if {@code sn} lies in [una, next): an sn we sent and have not yet seen acknowledged. */
    boolean isOutstanding(int sn) {
        return sn - una >= 0 && sn - next < 0;
    }

    boolean isDead() {
        return dead;
    }

    /** The peer has every sn below {@code peerUna}; returns the segments that left flight. Bogus una is ignored. */
    int acknowledgeBelow(int peerUna) {
        if (peerUna - una <= 0 || peerUna - next > 0) {
            return 0;
        }
        int removed = 0;
        for (; una != peerUna; una++) {
            Segment s = flight.remove(una);
            if (s != null) {
                pool.release(s);
                removed++;
            }
        }
        inFlight -= removed;
        skipAcknowledged();
        return removed;
    }

    /** A selective ack; returns true if it removed a segment still in flight. */
    boolean acknowledge(int sn) {
        if (!isOutstanding(sn)) {
            return false;
        }
        Segment s = flight.remove(sn);
        if (s == null) {
            return false;
        }
        pool.release(s);
        inFlight--;
        if (sn == una) {
            skipAcknowledged();
        }
        return true;
    }

    private void skipAcknowledged() {
        while (una != next && flight.get(una) == null) {
            una++;
        }
    }

    /**
     * One input packet acked up to {@code maxAckSn}, a segment sent at {@code maxAckTs}: every segment below it that
     * was last transmitted no later than that segment was skipped over once more. Ignoring skips from acks of
     * segments sent before a retransmission keeps one burst of acks from retransmitting the same segment repeatedly.
     */
    void countSkips(int maxAckSn, int maxAckTs) {
        if (fastResend == 0) {
            return;
        }
        for (int sn = una; sn - maxAckSn < 0; sn++) {
            Segment s = flight.get(sn);
            if (s != null && maxAckTs - s.ts >= 0 && ++s.skips >= fastResend
                    && s.fastRetransmits < FAST_RETRANSMIT_LIMIT) {
                fastDue = true;
            }
        }
    }

    /** The earliest time {@link #retransmit} has work; {@code now} if a fast retransmission is due. */
    long nextRetransmitAt(long now) {
        if (inFlight == 0) {
            return Long.MAX_VALUE;
        }
        return fastDue ? now : earliestResend;
    }

    /** Resends what timed out or was skipped often enough, in one pass over the flight; tells congestion control. */
    void retransmit(long now, PacketWriter writer) {
        if (inFlight == 0 || (!fastDue && now < earliestResend)) {
            return;
        }
        boolean timedOut = false;
        boolean fast = false;
        long earliest = Long.MAX_VALUE;
        for (int sn = una; sn != next; sn++) {
            Segment s = flight.get(sn);
            if (s == null) {
                continue;
            }
            if (now >= s.resendAt) {
                s.rto = backoff(s.rto);
                counters.retransmits++;
                timedOut = true;
                transmit(s, now, writer);
            } else if (fastResend > 0 && s.skips >= fastResend && s.fastRetransmits < FAST_RETRANSMIT_LIMIT) {
                s.fastRetransmits++;
                counters.fastRetransmits++;
                fast = true;
                transmit(s, now, writer);
            }
            earliest = Math.min(earliest, s.resendAt);
        }
        earliestResend = earliest;
        fastDue = false;
        if (fast) {
            congestion.onFastRetransmit(next - una, now);
        }
        if (timedOut) {
            congestion.onTimeout(now);
        }
    }

    /** Moves queued segments into flight while fewer than {@code limit} sns are outstanding, sending each. */
    void sendNew(long now, PacketWriter writer, int limit) {
        while (!queue.isEmpty() && next - una < limit) {
            Segment s = queue.pollFirst();
            s.sn = next++;
            s.rto = rtt.rto();
            flight.put(s.sn, s);
            inFlight++;
            counters.bytesSent += s.len;
            transmit(s, now, writer);
            earliestResend = Math.min(earliestResend, s.resendAt);
        }
    }

    private void transmit(Segment s, long now, PacketWriter writer) {
        s.ts = (int) now;
        s.transmissions++;
        s.skips = 0;
        s.resendAt = now + s.rto;
        writer.push(s);
        counters.segmentsSent++;
        if (s.transmissions >= deadLink) {
            dead = true;
        }
    }

    private int backoff(int rto) {
        long grown = nodelay ? rto + rto / 2 : 2L * rto;
        return (int) Math.min(grown, RttEstimator.MAX_RTO);
    }
}
