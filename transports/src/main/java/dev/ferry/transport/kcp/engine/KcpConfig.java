package dev.ferry.transport.kcp.engine;

/**
 * Tunables of one {@link KcpEngine}, validated on construction ({@link IllegalArgumentException} naming the field).
 *
 * @param mtu largest packet handed to {@link KcpOutput}; segments are packed together up to it (64..65535)
 * @param sendWindow segments in flight at most; send() queues up to twice this many (1..65535)
 * @param receiveWindow segments we advertise and buffer (1..65535, the wire's wnd field is 16 bits)
 * @param nodelay minimum RTO 30 ms and RTO backoff x1.5, instead of 100 ms and x2
 * @param intervalMillis timer tick: the longest {@link KcpEngine#nextUpdate} waits, and the floor of the RTO's
 *     variance term (1..5000)
 * @param fastResend retransmit a segment once this many later-sent segments were acked (0 = off)
 * @param congestionControl false is kcptun's "nc": only the send and receive windows limit what flies
 * @param deadLinkTransmissions a segment sent this many times without an ack means the link is dead (>= 1)
 * @param immediateAcks true: {@link KcpEngine#input} sends the acks it owes before returning; false: acks wait for
 *     the next flush() or update(), so an owner that flushes after a batch of reads acks the batch in few packets
 */
public record KcpConfig(int mtu, int sendWindow, int receiveWindow, boolean nodelay, int intervalMillis,
                        int fastResend, boolean congestionControl, int deadLinkTransmissions,
                        boolean immediateAcks) {
    public static final int MIN_MTU = 64;
    public static final int MAX_MTU = 65535;
    public static final int MAX_WINDOW = KcpWire.MAX_WND;
    public static final int MAX_INTERVAL_MILLIS = 5000;

    private static final int PRESET_MTU = 1350;
    private static final int PRESET_WINDOW = 1024;
    private static final int PRESET_DEAD_LINK = 20;
    private static final int PRESET_FAST_RESEND = 2;

    public KcpConfig {
        requireRange("mtu", mtu, MIN_MTU, MAX_MTU);
        requireRange("sendWindow", sendWindow, 1, MAX_WINDOW);
        requireRange("receiveWindow", receiveWindow, 1, MAX_WINDOW);
        requireRange("intervalMillis", intervalMillis, 1, MAX_INTERVAL_MILLIS);
        requireRange("fastResend", fastResend, 0, Integer.MAX_VALUE);
        requireRange("deadLinkTransmissions", deadLinkTransmissions, 1, Integer.MAX_VALUE);
    }

    /** The configuration without the immediateAcks switch, which defaults to on. */
    public KcpConfig(int mtu, int sendWindow, int receiveWindow, boolean nodelay, int intervalMillis, int fastResend,
                     boolean congestionControl, int deadLinkTransmissions) {
        this(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, congestionControl,
                deadLinkTransmissions, true);
    }

    /** kcptun's "normal": nodelay off, 40 ms, fast resend 2, no congestion window. */
    public static KcpConfig normal() {
        return preset(false, 40);
    }

    /** kcptun's "fast": nodelay off, 30 ms, fast resend 2, no congestion window. */
    public static KcpConfig fast() {
        return preset(false, 30);
    }

    /** kcptun's "fast2": nodelay on, 20 ms, fast resend 2, no congestion window. */
    public static KcpConfig fast2() {
        return preset(true, 20);
    }

    /** kcptun's "fast3": nodelay on, 10 ms, fast resend 2, no congestion window. */
    public static KcpConfig fast3() {
        return preset(true, 10);
    }

    private static KcpConfig preset(boolean nodelay, int interval) {
        return new KcpConfig(PRESET_MTU, PRESET_WINDOW, PRESET_WINDOW, nodelay, interval, PRESET_FAST_RESEND, false,
                PRESET_DEAD_LINK, true);
    }

    /** Payload bytes one segment carries at most: the mtu less one header. */
    public int mss() {
        return mtu - KcpWire.HEADER_BYTES;
    }

    public KcpConfig withMtu(int newMtu) {
        return new KcpConfig(newMtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend,
                congestionControl, deadLinkTransmissions, immediateAcks);
    }

    public KcpConfig withWindows(int send, int receive) {
        return new KcpConfig(mtu, send, receive, nodelay, intervalMillis, fastResend, congestionControl,
                deadLinkTransmissions, immediateAcks);
    }

    public KcpConfig withNodelay(boolean on) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, on, intervalMillis, fastResend, congestionControl,
                deadLinkTransmissions, immediateAcks);
    }

    public KcpConfig withIntervalMillis(int interval) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, interval, fastResend, congestionControl,
                deadLinkTransmissions, immediateAcks);
    }

    public KcpConfig withFastResend(int skips) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, skips, congestionControl,
                deadLinkTransmissions, immediateAcks);
    }

    public KcpConfig withCongestionControl(boolean on) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, on,
                deadLinkTransmissions, immediateAcks);
    }

    public KcpConfig withDeadLinkTransmissions(int transmissions) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, congestionControl,
                transmissions, immediateAcks);
    }

    public KcpConfig withImmediateAcks(boolean on) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, congestionControl,
                deadLinkTransmissions, on);
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
