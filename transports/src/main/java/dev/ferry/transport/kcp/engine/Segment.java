package dev.ferry.transport.kcp.engine;

/**
 * One PUSH segment held by the engine, on the send side (queued or in flight) or the receive side (out of order or
 * readable). Instances are pooled: {@link SegmentPool} owns them while free, and exactly one buffer or queue owns a
 * segment while it is in use.
 */
final class Segment {
    /** Payload, capacity mss; only the first {@link #len} bytes are meaningful. */
    final byte[] data;
    int len;
    int sn;
    /** Low 32 bits of the clock at the latest transmission (send side) or as received (receive side). */
    int ts;
    /** When the current transmission is presumed lost. */
    long resendAt;
    /** Retransmission timeout of this segment, grown by backoff on each expiry. */
    int rto;
    /** Transmissions so far, first one included; reaching the dead-link limit marks the link dead. */
    int transmissions;
    /** Acks of later-sent segments seen since this segment's latest transmission. */
    int skips;
    int fastRetransmits;
    /** Delivery-rate snapshot taken at the latest transmission (see {@link DeliveryRateSampler}); send side only. */
    long sentAt;
    long deliveredAtSend;
    long deliveredTimeAtSend;
    long firstSentTimeAtSend;
    boolean appLimitedAtSend;

    Segment(int capacity) {
        data = new byte[capacity];
    }

    void clear() {
        len = 0;
        sn = 0;
        ts = 0;
        resendAt = 0;
        rto = 0;
        transmissions = 0;
        skips = 0;
        fastRetransmits = 0;
        sentAt = 0;
        deliveredAtSend = 0;
        deliveredTimeAtSend = 0;
        firstSentTimeAtSend = 0;
        appLimitedAtSend = false;
    }
}
