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
 * @param congestion which controller limits what flies besides the windows, and whether segments are paced
 *     ({@link Congestion}); {@link Congestion#OFF} is kcptun's "nc", and every preset's choice for now
 * @param deadLinkTransmissions a segment sent this many times without an ack means the link is dead (>= 1)
 * @param immediateAcks true: {@link KcpEngine#input} sends the acks it owes before returning; false: acks wait for
 *     the next flush() or update(), so an owner that flushes after a batch of reads acks the batch in few packets
 * @param duplicateBelow a packet carrying data and no longer than this many bytes is sent three times (0 = never).
 *     Small packets are the latency-sensitive ones (a keystroke, an RPC, the tail of a response); with every copy
 *     lost only at the cube of the loss rate, they almost never wait for a retransmission timeout, while bulk
 *     transfers, whose packets are full, pay nothing
 * @param declaredBytesPerSecond the rate {@link Congestion#DECLARED} sends at, in wire bytes (KCP header and
 *     payload) per second, retransmissions included; > 0 with DECLARED, otherwise kept but unused (>= 0)
 * @param ackDelayMillis with {@code immediateAcks} off: how long a flush that would send nothing but fewer than
 *     {@link KcpEngine#ACKS_PER_PACKET} acks of full-mss segments may hold them back for more acks, or data, to share
 *     their packet (0..{@link #MAX_ACK_DELAY_MILLIS}; 0 = never hold). Every ack-only packet costs its headers (about
 *     60 bytes of sealing, UDP and IP for 24 bytes of ack), so holding saves bytes on the ack path. Acks of shorter
 *     segments are never held (the engine's holdsAcks says why); the presets hold none, ferry's command line
 *     5 ms
 */
public record KcpConfig(int mtu, int sendWindow, int receiveWindow, boolean nodelay, int intervalMillis,
                        int fastResend, Congestion congestion, int deadLinkTransmissions,
                        boolean immediateAcks, int duplicateBelow, long declaredBytesPerSecond, int ackDelayMillis) {
    public static final int MIN_MTU = 64;
    public static final int MAX_MTU = 65535;
    public static final int MAX_WINDOW = KcpWire.MAX_WND;
    public static final int MAX_INTERVAL_MILLIS = 5000;
    /** 1 TB/s: far above any link, low enough that rate x time never overflows. */
    public static final long MAX_DECLARED_BYTES_PER_SECOND = 1L << 40;
    /** Far below any timeout: a held ack may delay the peer's RTT samples by this much at most. */
    public static final int MAX_ACK_DELAY_MILLIS = 100;

    private static final int PRESET_MTU = 1350;
    private static final int PRESET_WINDOW = 1024;
    private static final int PRESET_DEAD_LINK = 20;
    private static final int PRESET_FAST_RESEND = 2;
    /**
     * Room for a 64-byte request with everything ferry wraps around it (frame, record, KCP header: about 130 bytes)
     * and then some; far below a bulk packet.
     */
    public static final int DEFAULT_DUPLICATE_BELOW = 256;

    public KcpConfig {
        requireRange("mtu", mtu, MIN_MTU, MAX_MTU);
        requireRange("sendWindow", sendWindow, 1, MAX_WINDOW);
        requireRange("receiveWindow", receiveWindow, 1, MAX_WINDOW);
        requireRange("intervalMillis", intervalMillis, 1, MAX_INTERVAL_MILLIS);
        requireRange("fastResend", fastResend, 0, Integer.MAX_VALUE);
        requireRange("deadLinkTransmissions", deadLinkTransmissions, 1, Integer.MAX_VALUE);
        requireRange("duplicateBelow", duplicateBelow, 0, MAX_MTU);
        requireRange("ackDelayMillis", ackDelayMillis, 0, MAX_ACK_DELAY_MILLIS);
        if (congestion == null) {
            throw new IllegalArgumentException("congestion must not be null (OFF for none)");
        }
        if (declaredBytesPerSecond < 0 || declaredBytesPerSecond > MAX_DECLARED_BYTES_PER_SECOND) {
            throw new IllegalArgumentException("declaredBytesPerSecond must be in [0, " + MAX_DECLARED_BYTES_PER_SECOND
                    + "], got " + declaredBytesPerSecond);
        }
        if (congestion == Congestion.DECLARED && declaredBytesPerSecond == 0) {
            throw new IllegalArgumentException("declaredBytesPerSecond must be > 0 when congestion is DECLARED "
                    + "(use withDeclaredRate)");
        }
    }

    /** The configuration before {@link Congestion}: {@code congestionControl} true is {@link Congestion#CLASSIC}. */
    public KcpConfig(int mtu, int sendWindow, int receiveWindow, boolean nodelay, int intervalMillis, int fastResend,
                     boolean congestionControl, int deadLinkTransmissions, boolean immediateAcks, int duplicateBelow) {
        this(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend,
                congestionControl ? Congestion.CLASSIC : Congestion.OFF, deadLinkTransmissions, immediateAcks,
                duplicateBelow, 0, 0);
    }

    /** The configuration with immediate acks on and no duplication of small packets. */
    public KcpConfig(int mtu, int sendWindow, int receiveWindow, boolean nodelay, int intervalMillis, int fastResend,
                     boolean congestionControl, int deadLinkTransmissions) {
        this(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, congestionControl,
                deadLinkTransmissions, true, 0);
    }

    // The presets are kcptun's retransmission settings, congestion control OFF included, plus ferry's duplication
    // of small packets. The command line puts a controller on top (--congestion, default RATE: OFF wastes bandwidth
    // on a lossy or shallow-buffered path, see Congestion), and the UDP transport its ack handling.

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
        return new KcpConfig(PRESET_MTU, PRESET_WINDOW, PRESET_WINDOW, nodelay, interval, PRESET_FAST_RESEND,
                Congestion.OFF, PRESET_DEAD_LINK, true, DEFAULT_DUPLICATE_BELOW, 0, 0);
    }

    /** Payload bytes one segment carries at most: the mtu less one header. */
    public int mss() {
        return mtu - KcpWire.HEADER_BYTES;
    }

    /** Whether any congestion controller runs (anything but {@link Congestion#OFF}). */
    public boolean congestionControl() {
        return congestion != Congestion.OFF;
    }

    public KcpConfig withMtu(int newMtu) {
        return new KcpConfig(newMtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend,
                congestion, deadLinkTransmissions, immediateAcks, duplicateBelow, declaredBytesPerSecond, ackDelayMillis);
    }

    public KcpConfig withWindows(int send, int receive) {
        return new KcpConfig(mtu, send, receive, nodelay, intervalMillis, fastResend, congestion,
                deadLinkTransmissions, immediateAcks, duplicateBelow, declaredBytesPerSecond, ackDelayMillis);
    }

    public KcpConfig withNodelay(boolean on) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, on, intervalMillis, fastResend, congestion,
                deadLinkTransmissions, immediateAcks, duplicateBelow, declaredBytesPerSecond, ackDelayMillis);
    }

    public KcpConfig withIntervalMillis(int interval) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, interval, fastResend, congestion,
                deadLinkTransmissions, immediateAcks, duplicateBelow, declaredBytesPerSecond, ackDelayMillis);
    }

    public KcpConfig withFastResend(int skips) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, skips, congestion,
                deadLinkTransmissions, immediateAcks, duplicateBelow, declaredBytesPerSecond, ackDelayMillis);
    }

    /**
     * Off is {@link Congestion#OFF}; on keeps a controller already chosen and otherwise picks
     * {@link Congestion#CLASSIC}, what this switch meant before there were others.
     */
    public KcpConfig withCongestionControl(boolean on) {
        Congestion c = !on ? Congestion.OFF : congestion == Congestion.OFF ? Congestion.CLASSIC : congestion;
        return withCongestion(c);
    }

    /** Selects a controller; {@link Congestion#DECLARED} needs a rate already set (see {@link #withDeclaredRate}). */
    public KcpConfig withCongestion(Congestion c) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, c,
                deadLinkTransmissions, immediateAcks, duplicateBelow, declaredBytesPerSecond, ackDelayMillis);
    }

    /** {@link Congestion#DECLARED} at {@code bytesPerSecond} wire bytes per second (the link's capacity). */
    public KcpConfig withDeclaredRate(long bytesPerSecond) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, Congestion.DECLARED,
                deadLinkTransmissions, immediateAcks, duplicateBelow, bytesPerSecond, ackDelayMillis);
    }

    public KcpConfig withDeadLinkTransmissions(int transmissions) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, congestion,
                transmissions, immediateAcks, duplicateBelow, declaredBytesPerSecond, ackDelayMillis);
    }

    public KcpConfig withImmediateAcks(boolean on) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, congestion,
                deadLinkTransmissions, on, duplicateBelow, declaredBytesPerSecond, ackDelayMillis);
    }

    public KcpConfig withAckDelay(int millis) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, congestion,
                deadLinkTransmissions, immediateAcks, duplicateBelow, declaredBytesPerSecond, millis);
    }

    public KcpConfig withDuplicateBelow(int bytes) {
        return new KcpConfig(mtu, sendWindow, receiveWindow, nodelay, intervalMillis, fastResend, congestion,
                deadLinkTransmissions, immediateAcks, bytes, declaredBytesPerSecond, ackDelayMillis);
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
