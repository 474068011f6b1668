package dev.ferry.transport.kcp.engine;

/**
 * A congestion controller that sets a sending rate: the engine paces PUSH segments (new data and retransmissions)
 * at {@link #pacingRate()} and hands it one delivery-rate sample per input packet that acknowledged something. The
 * engine checks for this interface, an optional power of a {@link CongestionControl}, when it is built and when
 * {@link KcpEngine#declareRate} switches to one.
 *
 * <p>Differences from a plain {@link CongestionControl}: {@link #window()} counts segments in flight (sent and not
 * yet acknowledged), not the span of sequence numbers from the oldest unacknowledged one, so that the holes random
 * loss leaves below acknowledged segments do not shrink what may fly; and losses are reported through
 * {@link RateSample#lost()} as well as through {@link #onFastRetransmit} and {@link #onTimeout}.
 */
public interface PacedCongestionControl extends CongestionControl {

    /** Wire bytes per second PUSH segments may leave at; 0 for unpaced (no estimate yet). */
    long pacingRate();

    /** The acknowledgements of one input packet; {@code sample} is valid only during the call. */
    default void onRateSample(RateSample sample, long nowMillis) {
    }
}
