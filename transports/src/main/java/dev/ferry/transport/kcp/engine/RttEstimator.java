package dev.ferry.transport.kcp.engine;

/**
 * Smoothed round-trip time and retransmission timeout, RFC 6298 style: srtt and rttvar with gains 1/8 and 1/4,
 * RTO = srtt + max(interval, 4 * rttvar), held within [minimum RTO, {@link #MAX_RTO}]. The interval floor keeps the
 * RTO above the timer granularity, so a flush tick late by one interval is not mistaken for a loss.
 *
 * <p>Senders with a congestion controller (paced or classic) get a further floor of half the smoothed RTT: a rate controller probes for bandwidth with a
 * queue worth up to a quarter of the round trip, built within one round trip, faster than the variance term
 * follows, and a timeout spent on a segment that was merely queued is a wasted transmission. Their losses are
 * found by fast retransmission; the timeout is for the tail, where a few more ms matter less. For the same reason
 * they start from RFC 6298's 1 s rather than KCP's 200 ms: on a path with a longer round trip than that, the
 * whole first flight would otherwise go twice, and its acks could not tell which copy arrived, leaving the rate
 * sampler without a clean sample for a round trip.
 */
final class RttEstimator {
    static final int INITIAL_RTO = 200;
    /** RFC 6298's initial RTO, for paced senders (see the class comment). */
    static final int INITIAL_RTO_PACED = 1000;
    static final int MAX_RTO = 60_000;
    static final int MIN_RTO = 100;
    static final int MIN_RTO_NODELAY = 30;

    private final int minRto;
    private final int interval;
    private boolean paced;
    private int srtt;
    private int rttVar;
    private int rto;

    RttEstimator(boolean nodelay, int interval) {
        this(nodelay, interval, false);
    }

    RttEstimator(boolean nodelay, int interval, boolean paced) {
        this.minRto = nodelay ? MIN_RTO_NODELAY : MIN_RTO;
        this.interval = interval;
        this.paced = paced;
        this.rto = paced ? INITIAL_RTO_PACED : INITIAL_RTO;
    }

    /** Feeds one measured round trip; negative samples (clock confusion) are the caller's to drop. */
    void sample(int rttMillis) {
        int rtt = Math.min(rttMillis, MAX_RTO);
        if (srtt == 0) {
            srtt = Math.max(rtt, 1);
            rttVar = rtt / 2;
        } else {
            int delta = Math.abs(rtt - srtt);
            rttVar = (3 * rttVar + delta) / 4;
            srtt = Math.max((7 * srtt + rtt) / 8, 1);
        }
        rto = timeout();
    }

    /**
     * From now on as if built for a sender with a congestion controller: the RTO is what such an estimator fed the
     * same samples would hold (RFC 6298's initial RTO before the first sample, the srtt/2 floor after it), since it
     * depends only on srtt, rttvar and that choice.
     */
    void becomePatient() {
        if (paced) {
            return;
        }
        paced = true;
        rto = srtt == 0 ? INITIAL_RTO_PACED : timeout();
    }

    private int timeout() {
        int candidate = srtt + Math.max(Math.max(interval, 4 * rttVar), paced ? srtt / 2 : 0);
        return Math.clamp(candidate, minRto, MAX_RTO);
    }

    int srtt() {
        return srtt;
    }

    int rttVar() {
        return rttVar;
    }

    int rto() {
        return rto;
    }
}
