package dev.ferry.transport.kcp.engine;

/**
 * Sends at a rate the user declares (the link's capacity, known to them): paces every PUSH, retransmissions
 * included, at exactly that many wire bytes per second whatever is lost, so losses are made up for out of the same
 * budget and the wire never carries more than declared. The window, {@value #WINDOW_RTTS} x rate x smoothed RTT plus
 * {@value #FLOOR_SEGMENTS} segments, only stops a dead or badly overloaded path from gathering unbounded flight.
 *
 * <p>Declaring more than the path carries overflows its queue for as long as the transfer lasts: this controller
 * does not second-guess the user (that is what {@link Congestion#RATE} is for).
 */
final class DeclaredRateController implements PacedCongestionControl {
    static final int WINDOW_RTTS = 2;
    static final int FLOOR_SEGMENTS = 16;
    /** What the window assumes before the first RTT sample. */
    static final int ASSUMED_RTT_MILLIS = 100;

    private final long rate;
    private final int mtu;
    private int srtt;

    DeclaredRateController(long bytesPerSecond, int mtu) {
        this(bytesPerSecond, mtu, 0);
    }

    /**
     * @param srttMillis the smoothed round trip so far (0: none yet), for a controller that takes over a running
     *     engine: one fed the same samples from the start would hold it
     */
    DeclaredRateController(long bytesPerSecond, int mtu, int srttMillis) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("declared rate must be > 0 B/s, got " + bytesPerSecond);
        }
        this.rate = bytesPerSecond;
        this.mtu = mtu;
        this.srtt = Math.max(srttMillis, 0);
    }

    @Override
    public long pacingRate() {
        return rate;
    }

    @Override
    public int window() {
        long rtt = srtt == 0 ? ASSUMED_RTT_MILLIS : srtt;
        long bytes = WINDOW_RTTS * rate * rtt / 1000;
        return (int) Math.min(Math.ceilDiv(bytes, mtu) + FLOOR_SEGMENTS, Integer.MAX_VALUE);
    }

    @Override
    public void onRttSample(int rttMillis, long nowMillis) {
        srtt = srtt == 0 ? Math.max(rttMillis, 1) : Math.max((7 * srtt + rttMillis) / 8, 1);
    }

    @Override
    public String toString() {
        return "DeclaredRateController[" + rate + " B/s, srtt " + srtt + " ms, window " + window() + " seg]";
    }
}
