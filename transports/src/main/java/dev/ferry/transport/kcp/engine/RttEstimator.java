package dev.ferry.transport.kcp.engine;

/**
 * Smoothed round-trip time and retransmission timeout, RFC 6298 style: srtt and rttvar with gains 1/8 and 1/4,
 * RTO = srtt + max(interval, 4 * rttvar), held within [minimum RTO, {@link #MAX_RTO}]. The interval floor keeps the
 * RTO above the timer granularity, so a flush tick late by one interval is not mistaken for a loss.
 */
final class RttEstimator {
    static final int INITIAL_RTO = 200;
    static final int MAX_RTO = 60_000;
    static final int MIN_RTO = 100;
    static final int MIN_RTO_NODELAY = 30;

    private final int minRto;
    private final int interval;
    private int srtt;
    private int rttVar;
    private int rto = INITIAL_RTO;

    RttEstimator(boolean nodelay, int interval) {
        this.minRto = nodelay ? MIN_RTO_NODELAY : MIN_RTO;
        this.interval = interval;
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
        int candidate = srtt + Math.max(interval, 4 * rttVar);
        rto = Math.clamp(candidate, minRto, MAX_RTO);
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
