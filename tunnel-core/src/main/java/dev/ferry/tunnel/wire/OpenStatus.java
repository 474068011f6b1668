package dev.ferry.tunnel.wire;

/** The outcome of opening a stream, carried in {@link Frame.OpenResult}. */
public enum OpenStatus {
    OK(0x00),
    /** The destination actively refused the connection. */
    REFUSED(0x01),
    /** No route to the destination, or its name did not resolve. */
    UNREACHABLE(0x02),
    /** The backend gave up connecting after its connect timeout. */
    TIMED_OUT(0x03),
    /** The backend's policy (--allow / --deny) forbids the destination. */
    DENIED(0x04),
    /** Anything else. */
    FAILED(0x05);

    private final int code;

    OpenStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Unknown codes map to {@link #FAILED}, so a newer peer never breaks an older one. */
    public static OpenStatus fromCode(int code) {
        for (OpenStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return FAILED;
    }
}
