package dev.ferry.transport.kcp.engine;

/**
 * Decides how many segments may be in flight besides the send and receive windows. The engine calls it on its own
 * thread with its own clock; implementations hold per-engine state, so each engine gets its own instance (except the
 * stateless {@link #NONE}).
 *
 * <p>A rate-based controller also implements {@link PacedCongestionControl}, the optional power the engine checks
 * for: it then paces its segments and feeds it delivery-rate samples. {@link Congestion} names the controllers a
 * {@link KcpConfig} can select.
 */
public interface CongestionControl {

    /** No congestion window: only the send window and the peer's window limit what flies (kcptun's "nc"). */
    CongestionControl NONE = new CongestionControl() {
        @Override
        public int window() {
            return Integer.MAX_VALUE;
        }
    };

    /** Segments allowed in flight now, >= 0; {@link Integer#MAX_VALUE} for no limit. */
    int window();

    /** {@code segments} left flight acknowledged (selectively or by una) in one input packet. */
    default void onAcked(int segments, int remoteWindow, long nowMillis) {
    }

    /** One fresh round-trip sample from an ack's timestamp echo. */
    default void onRttSample(int rttMillis, long nowMillis) {
    }

    /** At least one segment was fast-retransmitted in this flush; {@code inFlight} sns were outstanding. */
    default void onFastRetransmit(int inFlight, long nowMillis) {
    }

    /** At least one segment's RTO expired in this flush. */
    default void onTimeout(long nowMillis) {
    }
}
