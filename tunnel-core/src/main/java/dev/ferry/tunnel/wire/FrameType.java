package dev.ferry.tunnel.wire;

/** The frame types of the user and control planes; the code is the first byte of every frame header. */
public enum FrameType {
    /** Opens a stream to a destination, optionally carrying its first payload bytes. */
    OPEN(0x01),
    /** The backend's answer to {@link #OPEN}: connected, or why not. */
    OPEN_RESULT(0x02),
    /** Stream payload. */
    DATA(0x03),
    /** The sender will send no more payload on this stream (TCP half-close). */
    FIN(0x04),
    /** Aborts a stream in both directions, with a reason. */
    RESET(0x05),
    /** Grants the peer more bytes of send window on one stream. */
    WINDOW_UPDATE(0x06),
    /** Keepalive probe on stream 0; the peer answers with {@link #PONG}. */
    PING(0x07),
    /** Answer to {@link #PING}, echoing its opaque value. */
    PONG(0x08),
    /** A control-plane message on stream 0 (load report, go-away). */
    CONTROL(0x09),
    /**
     * One UDP datagram of a flow; its id field names the flow (a namespace of its own, not a stream). Never
     * retransmitted by the tunnel itself: a transport that carries datagrams natively sends it unreliably.
     */
    DATAGRAM(0x0A);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * Whether frames of this type belong to the whole tunnel and travel on stream 0 (PING, PONG, CONTROL); all
     * others belong to one stream and must carry a non-zero stream id.
     */
    public boolean isConnectionLevel() {
        return this == PING || this == PONG || this == CONTROL;
    }

    /** Returns the type for a code, or {@code null} when the code is unknown. */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
