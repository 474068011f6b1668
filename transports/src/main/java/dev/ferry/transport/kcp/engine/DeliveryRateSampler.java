package dev.ferry.transport.kcp.engine;

/**
 * Delivery-rate samples in the manner of the IETF draft "Delivery Rate Estimation" (Cheng, Cardwell et al.), at a
 * millisecond clock. Each transmission snapshots, on its segment, how many bytes had been delivered and when; when
 * the segment is acknowledged, the bytes delivered since that snapshot over the longer of the send interval and
 * the ack interval is one sample of the delivery rate. Taking the longer one keeps ack compression (acks bunched
 * by a queue on the way back) from inflating the rate.
 *
 * <p>Millisecond clock: a sample must span at least {@link #MIN_INTERVAL_MILLIS}, so that rounding the interval to
 * whole milliseconds errs by at most about a tenth. On paths with a round trip that short, the pending sample is
 * kept and stretched (later acks add bytes and time to it) until it spans that much, rather than dropped.
 *
 * <p>Ambiguity: a segment sent more than once is counted as delivered, but chosen as the sample's reference only
 * when its ack's echoed timestamp shows the latest transmission arrived: an ack of an earlier one would shorten the
 * interval and overstate the rate. The same rule picks the segment that ends a round trip.
 *
 * <p>Bytes are wire bytes of PUSH segments (payload plus header). Owned by the engine's thread.
 */
final class DeliveryRateSampler {
    static final int MIN_INTERVAL_MILLIS = 10;

    private long delivered;
    private long deliveredTime;
    private long firstSentTime;
    private long lost;
    /** Non-zero while samples are app-limited: the delivered count at which that ends. */
    private long appLimitedUntil;

    private long newlyDelivered;
    private long roundPrior = -1;
    private boolean hasReference;
    private long refPrior;
    private long refPriorTime;
    private long refFirstSent;
    private long refSent;
    private boolean refAppLimited;

    static int wireBytes(Segment s) {
        return s.len + KcpWire.HEADER_BYTES;
    }

    /** A transmission of {@code s}, first or not; {@code flightWasEmpty} when nothing else is unacknowledged. */
    void onSend(Segment s, long now, boolean flightWasEmpty) {
        if (flightWasEmpty) {
            // After an idle spell the clock of the last delivery is stale: start the intervals now.
            firstSentTime = now;
            deliveredTime = now;
        }
        s.sentAt = now;
        s.deliveredAtSend = delivered;
        s.deliveredTimeAtSend = deliveredTime;
        s.firstSentTimeAtSend = firstSentTime;
        s.appLimitedAtSend = appLimitedUntil != 0;
    }

    /**
     * {@code s} was acknowledged (selectively or by una) and is about to leave flight; {@code latestAcked} when an
     * ack's echoed timestamp shows that its latest transmission arrived.
     */
    void onDelivered(Segment s, long now, boolean latestAcked) {
        boolean unambiguous = s.transmissions == 1 || latestAcked;
        int bytes = wireBytes(s);
        delivered += bytes;
        newlyDelivered += bytes;
        deliveredTime = now;
        if (unambiguous && s.deliveredAtSend >= roundPrior) {
            roundPrior = s.deliveredAtSend;
            firstSentTime = s.sentAt;
        }
        // A newer reference replaces the pending one only if it spans the minimum interval itself: replacing a
        // short one by a newer (shorter) one would restart the stretch on every ack and no sample would ever form.
        long span = Math.max(s.sentAt - s.firstSentTimeAtSend, now - s.deliveredTimeAtSend);
        if (unambiguous && (!hasReference || (s.deliveredAtSend >= refPrior && span >= MIN_INTERVAL_MILLIS))) {
            hasReference = true;
            refPrior = s.deliveredAtSend;
            refPriorTime = s.deliveredTimeAtSend;
            refFirstSent = s.firstSentTimeAtSend;
            refSent = s.sentAt;
            refAppLimited = s.appLimitedAtSend;
        }
    }

    /** {@code bytes} of a segment are being sent again: the earlier transmission is presumed lost. */
    void onLost(int bytes) {
        lost += bytes;
    }

    /** An ack showed that an earlier transmission arrived: the latest one, counted lost, was not. */
    void onSpuriousRetransmission(int bytes) {
        lost -= bytes;
    }

    /** The sender is not using its congestion window (nothing queued, or held by another window). */
    void markAppLimited(long inFlightBytes) {
        appLimitedUntil = Math.max(delivered + inFlightBytes, 1);
    }

    /** Whether anything was delivered since the last {@link #finish}. */
    boolean hasDelivery() {
        return newlyDelivered > 0;
    }

    /** Fills {@code out} with what was delivered since the last call, and starts the next sample. */
    void finish(long now, int inFlight, long inFlightBytes, RateSample out) {
        if (appLimitedUntil != 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0;
        }
        out.delivered = delivered;
        out.newlyDelivered = newlyDelivered;
        out.priorDelivered = roundPrior;
        out.lost = lost;
        out.inFlight = inFlight;
        out.inFlightBytes = inFlightBytes;
        out.deliveryRate = 0;
        out.intervalMillis = 0;
        out.appLimited = hasReference ? refAppLimited : appLimitedUntil != 0;
        if (hasReference) {
            long interval = Math.max(refSent - refFirstSent, now - refPriorTime);
            if (interval >= MIN_INTERVAL_MILLIS) {
                out.intervalMillis = interval;
                out.deliveryRate = (delivered - refPrior) * 1000 / interval;
                hasReference = false;
            }
        }
        newlyDelivered = 0;
        roundPrior = -1;
    }
}
