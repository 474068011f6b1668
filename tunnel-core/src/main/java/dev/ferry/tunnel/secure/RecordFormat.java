package dev.ferry.tunnel.secure;

/**
 * Sealed records carry the frame stream after the handshake. Each record is
 * <pre>
 * +------------------------------+----------------------------------+
 * | sealed length: 2 + 16 tag    | sealed payload: length + 16 tag  |
 * +------------------------------+----------------------------------+
 * </pre>
 * Both parts are sealed with the direction's key; the nonce is a counter that starts at 0 and grows by one per
 * sealing (so two per record). Lengths are hidden, so record boundaries tell an observer only the TCP segment sizes.
 */
final class RecordFormat {
    static final int LENGTH_FIELD = 2;
    /**
     * Largest plaintext in one record: exactly one full frame, so a sender that cuts records at frame boundaries
     * never splits a frame, and the receiver's frame decoder never has to join pieces.
     */
    static final int MAX_PAYLOAD = dev.ferry.tunnel.wire.WireFormat.HEADER_LENGTH
            + dev.ferry.tunnel.wire.WireFormat.MAX_PAYLOAD;
    /** The sender stops here and the tunnel must be re-established; far beyond any tunnel's life. */
    static final long MAX_COUNTER = 1L << 62;

    private RecordFormat() {
    }

    static int sealedSize(int payload, int tag) {
        return LENGTH_FIELD + tag + payload + tag;
    }
}
