package dev.ferry.tunnel.wire;

/** Why a stream was reset, carried in {@link Frame.Reset}. */
public enum ResetReason {
    /** The local socket closed abruptly (connection reset). */
    CONNECTION_RESET(0x01),
    /** The peer broke the protocol on this stream (data past the window, data after FIN, unknown stream). */
    PROTOCOL_ERROR(0x02),
    /** The session is shutting down and the stream did not finish in time. */
    SHUTDOWN(0x03),
    /** The stream sat idle too long. */
    IDLE_TIMEOUT(0x04),
    /** Anything else. */
    INTERNAL_ERROR(0x05);

    private final int code;

    ResetReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Unknown codes map to {@link #INTERNAL_ERROR}. */
    public static ResetReason fromCode(int code) {
        for (ResetReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return INTERNAL_ERROR;
    }
}
