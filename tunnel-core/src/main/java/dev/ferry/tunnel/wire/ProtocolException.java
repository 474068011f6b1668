package dev.ferry.tunnel.wire;

/** The peer sent bytes that break the protocol; the tunnel that received them is closed with this message. */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
