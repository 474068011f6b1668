package dev.ferry.transport.kcp.engine;

/**
 * The send side: bytes queued by the application, packed into full-mss segments (stream mode), and the segments in
 * flight, indexed by sn for O(1) acks.
 *
 * <p>What must hold: {@code una} is the lowest unacknowledged sn (== {@code next} when nothing flies); in-flight sns
 * lie in [una, next) and {@code next - una <= sendWindow}, the ring's size; queued plus in-flight segments never
 * exceed twice the send window. {@code earliestResend} is never later than the true earliest RTO expiry among
 * in-flight segments (acks may leave it early, which costs one idle scan, never a late retransmission).
 * {@code inFlightBytes} is the wire bytes of the segments in flight.
 *
 * <p>Every PUSH, new or again, goes only when the {@link Pacer} allows; a retransmission the pacer holds back stays
 * due (its RTO expiry in the past, or its skip count at the threshold) and goes at the next chance, before new data.
 */
final class SendBuffer {
    /** Fast retransmissions of one segment before only its RTO may resend it. */
    static final int FAST_RETRANSMIT_LIMIT = 5;

    private final int mss;
    private final int queueLimit;
    private final int fastResend;
    private final int deadLink;
    private final boolean nodelay;
    /** First transmissions wait out a grown RTO: for every sender with a congestion controller. */
    private boolean patientTimeouts;
    private final SegmentPool pool;
    private final SegmentDeque queue;
    private final SequenceRing flight;
    private final RttEstimator rtt;
    private CongestionControl congestion;
    private final KcpCounters counters;
    private final DeliveryRateSampler sampler = new DeliveryRateSampler();

    private int una;
    private int next;
    private int inFlight;
    private long inFlightBytes;
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
        this.patientTimeouts = congestion != CongestionControl.NONE;
        this.pool = pool;
        this.queue = new SegmentDeque(queueLimit);
        this.flight = new SequenceRing(config.sendWindow());
        this.rtt = rtt;
        this.congestion = congestion;
        this.counters = counters;
    }

    /**
     * Reports to {@code c} from now on. Segments in flight stay where they are; each keeps the RTO it was sent with,
     * and with patient timeouts a first transmission waits out the estimator's RTO as it is now (see
     * {@link #timedOut}).
     */
    void congestion(CongestionControl c) {
        congestion = c;
        patientTimeouts = c != CongestionControl.NONE;
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

    /** Bytes {@link #write} would take now, if at most {@code maxQueued} segments may wait unsent. */
    int capacity(int maxQueued) {
        int slots = Math.min(queueLimit - waiting(), maxQueued - queue.size());
        long room = (long) Math.max(0, slots) * mss;
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

    /**
     * True when queued data could leave while fewer than {@code spanLimit} sns are outstanding from una and fewer
     * than {@code inFlightLimit} segments are unacknowledged (pacing aside).
     */
    boolean canSendNew(int spanLimit, int inFlightLimit) {
        return !queue.isEmpty() && next - una < spanLimit && inFlight < inFlightLimit;
    }

    int inFlight() {
        return inFlight;
    }

    long inFlightBytes() {
        return inFlightBytes;
    }

    DeliveryRateSampler sampler() {
        return sampler;
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
    int acknowledgeBelow(int peerUna, long now) {
        if (peerUna - una <= 0 || peerUna - next > 0) {
            return 0;
        }
        int removed = 0;
        for (; una != peerUna; una++) {
            Segment s = flight.remove(una);
            if (s != null) {
                delivered(s, now, false);
                removed++;
            }
        }
        inFlight -= removed;
        skipAcknowledged();
        return removed;
    }

    /**
     * A selective ack echoing {@code echoedTs}; returns true if it removed a segment still in flight. The echo tells
     * which transmission arrived: the latest one gives a clean delivery-rate sample; an earlier one means the last
     * retransmission was not needed after all, and its bytes are taken back from the loss count.
     */
    boolean acknowledge(int sn, int echoedTs, long now) {
        if (!isOutstanding(sn)) {
            return false;
        }
        Segment s = flight.remove(sn);
        if (s == null) {
            return false;
        }
        boolean latest = echoedTs == s.ts;
        if (!latest && s.transmissions > 1) {
            sampler.onSpuriousRetransmission(DeliveryRateSampler.wireBytes(s));
        }
        delivered(s, now, latest);
        inFlight--;
        if (sn == una) {
            skipAcknowledged();
        }
        return true;
    }

    private void delivered(Segment s, long now, boolean latestTransmissionAcked) {
        sampler.onDelivered(s, now, latestTransmissionAcked);
        inFlightBytes -= DeliveryRateSampler.wireBytes(s);
        pool.release(s);
    }

    private void skipAcknowledged() {
        while (una != next && flight.get(una) == null) {
            una++;
        }
    }

    /**
     * One news ack of {@code maxAckSn}, a segment sent at {@code maxAckTs}: every segment below it that was last
     * transmitted no later than that segment was skipped over once more. Ignoring skips from acks of segments sent
     * before a retransmission keeps one burst of acks from retransmitting the same segment repeatedly.
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

    /**
     * Resends what timed out or was skipped often enough, in sn order, while the pacer allows; tells congestion
     * control and the rate sampler.
     */
    void retransmit(long now, PacketWriter writer, Pacer pacer) {
        if (inFlight == 0 || (!fastDue && now < earliestResend)) {
            return;
        }
        boolean timedOut = false;
        boolean fast = false;
        boolean held = false;
        boolean fastStillDue = false;
        long earliest = Long.MAX_VALUE;
        for (int sn = una; sn != next; sn++) {
            Segment s = flight.get(sn);
            if (s == null) {
                continue;
            }
            boolean rtoDue = timedOut(s, now);
            boolean fastReady = fastResend > 0 && s.skips >= fastResend && s.fastRetransmits < FAST_RETRANSMIT_LIMIT;
            if ((rtoDue || fastReady) && !held && !pacer.mayGo()) {
                held = true;
            }
            if (held) {
                fastStillDue |= fastReady && !rtoDue;
            } else if (rtoDue) {
                s.rto = backoff(s.rto);
                counters.retransmits++;
                timedOut = true;
                resend(s, now, writer, pacer);
            } else if (fastReady) {
                s.fastRetransmits++;
                counters.fastRetransmits++;
                fast = true;
                resend(s, now, writer, pacer);
            }
            earliest = Math.min(earliest, s.resendAt);
        }
        earliestResend = earliest;
        fastDue = fastStillDue;
        if (fast) {
            congestion.onFastRetransmit(next - una, now);
        }
        if (timedOut) {
            congestion.onTimeout(now);
        }
    }

    /**
     * Moves queued segments into flight while fewer than {@code spanLimit} sns are outstanding from una, fewer than
     * {@code inFlightLimit} segments are unacknowledged and the pacer allows, sending each.
     */
    void sendNew(long now, PacketWriter writer, int spanLimit, int inFlightLimit, Pacer pacer) {
        while (!queue.isEmpty() && next - una < spanLimit && inFlight < inFlightLimit && pacer.mayGo()) {
            Segment s = queue.pollFirst();
            s.sn = next++;
            s.rto = rtt.rto();
            flight.put(s.sn, s);
            sampler.onSend(s, now, inFlight == 0);
            inFlight++;
            inFlightBytes += DeliveryRateSampler.wireBytes(s);
            counters.bytesSent += s.len;
            transmit(s, now, writer);
            pacer.spend(DeliveryRateSampler.wireBytes(s));
            earliestResend = Math.min(earliestResend, s.resendAt);
        }
    }

    /**
     * Whether the RTO of {@code s} expired. With congestion control a first transmission also waits out the RTO as it is
     * now, if that grew since it was sent: a sender that outran the bottleneck (the startup does for a round trip
     * before it can see it) queued its latest segments behind a queue its acks had not shown yet, and the RTT
     * estimate catches up while they wait. A timeout only ever lengthens this way.
     */
    private boolean timedOut(Segment s, long now) {
        if (now < s.resendAt) {
            return false;
        }
        if (patientTimeouts && s.transmissions == 1 && now - s.sentAt < rtt.rto()) {
            s.resendAt = s.sentAt + rtt.rto();
            return false;
        }
        return true;
    }

    private void resend(Segment s, long now, PacketWriter writer, Pacer pacer) {
        int bytes = DeliveryRateSampler.wireBytes(s);
        sampler.onLost(bytes);
        sampler.onSend(s, now, false);
        transmit(s, now, writer);
        pacer.spend(bytes);
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
