package dev.ferry.transport.kcp.engine;

/**
 * What the acknowledgements in one input packet say about the path, handed to
 * {@link PacedCongestionControl#onRateSample}. Bytes are wire bytes of PUSH segments (payload plus the 24-byte
 * header), the unit pacing spends.
 *
 * <p>The engine fills and reuses one instance, so steady traffic allocates nothing: it is valid only during the
 * call, and a controller copies what it keeps.
 */
public final class RateSample {
    long deliveryRate;
    long intervalMillis;
    long delivered;
    long newlyDelivered;
    long priorDelivered;
    long lost;
    boolean appLimited;
    int inFlight;
    long inFlightBytes;

    RateSample() {
    }

    /**
     * Bytes per second delivered over the sampled interval, or 0 when this packet gave no valid sample (only
     * retransmitted segments were acked, or the interval is too short to measure with a millisecond clock).
     */
    public long deliveryRate() {
        return deliveryRate;
    }

    /** The interval {@link #deliveryRate} was measured over, in ms (0 when there is no rate). */
    public long intervalMillis() {
        return intervalMillis;
    }

    /** Bytes delivered (acknowledged) since the engine started, this packet's included. */
    public long delivered() {
        return delivered;
    }

    /** Bytes this packet acknowledged. */
    public long newlyDelivered() {
        return newlyDelivered;
    }

    /**
     * {@link #delivered} as it was when the most recently sent of the acknowledged segments left (of those sent
     * once; -1 if none was): a round trip ends when this passes the {@code delivered} noted at the round's start.
     */
    public long priorDelivered() {
        return priorDelivered;
    }

    /** Bytes declared lost (sent again, after a timeout or fast-retransmit evidence) since the engine started. */
    public long lost() {
        return lost;
    }

    /**
     * The sample was taken while the sender had nothing queued or was held by a window other than the congestion
     * window: its rate says how much the application sent, not what the path can carry.
     */
    public boolean appLimited() {
        return appLimited;
    }

    /** Segments sent and not yet acknowledged, after this packet. */
    public int inFlight() {
        return inFlight;
    }

    /** Their wire bytes. */
    public long inFlightBytes() {
        return inFlightBytes;
    }

    @Override
    public String toString() {
        return "RateSample[rate " + deliveryRate + " B/s over " + intervalMillis + " ms, delivered " + delivered
                + " (+" + newlyDelivered + ", prior " + priorDelivered + "), lost " + lost + ", in flight " + inFlight
                + "/" + inFlightBytes + " B" + (appLimited ? ", app-limited" : "") + "]";
    }
}
