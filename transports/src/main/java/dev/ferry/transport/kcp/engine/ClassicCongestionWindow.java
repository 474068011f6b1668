package dev.ferry.transport.kcp.engine;

/**
 * KCP's window-based controller in segments: slow start (+1 per acked segment) up to ssthresh, then about +1 per
 * round trip; a fast retransmit halves to ssthresh (plus the skips that triggered it, the segments known to have
 * left the network); a timeout restarts from one segment. The window never grows past what the peer advertises.
 *
 * <p>Unlike the C original, ssthresh starts unbounded (slow start runs until the first loss) rather than at 2.
 */
final class ClassicCongestionWindow implements CongestionControl {
    static final int INITIAL_WINDOW = 4;
    private static final int MIN_THRESHOLD = 2;

    private final int fastResend;
    private int cwnd = INITIAL_WINDOW;
    private int ssthresh = Integer.MAX_VALUE;
    /** Acked segments counted towards the next +1 in congestion avoidance. */
    private int credit;

    ClassicCongestionWindow(int fastResend) {
        this.fastResend = fastResend;
    }

    @Override
    public int window() {
        return cwnd;
    }

    @Override
    public void onAcked(int segments, int remoteWindow, long nowMillis) {
        for (int i = 0; i < segments && cwnd < remoteWindow; i++) {
            if (cwnd < ssthresh) {
                cwnd++;
            } else if (++credit >= cwnd) {
                credit = 0;
                cwnd++;
            }
        }
    }

    @Override
    public void onFastRetransmit(int inFlight, long nowMillis) {
        ssthresh = Math.max(inFlight / 2, MIN_THRESHOLD);
        cwnd = ssthresh + fastResend;
        credit = 0;
    }

    @Override
    public void onTimeout(long nowMillis) {
        ssthresh = Math.max(cwnd / 2, MIN_THRESHOLD);
        cwnd = 1;
        credit = 0;
    }
}
