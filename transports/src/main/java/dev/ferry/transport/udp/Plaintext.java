package dev.ferry.transport.udp;

/** Reading the opened part of a packet: {@code kind (1) | [timestamp (8)] | body}. */
public final class Plaintext {
    private Plaintext() {
    }

    public static int kind(byte[] plain) {
        return plain[0] & PacketFormat.KIND_MASK;
    }

    public static boolean hasTimestamp(byte[] plain) {
        return (plain[0] & PacketFormat.FLAG_TIMESTAMP) != 0;
    }

    /** The carried timestamp; only when {@link #hasTimestamp} and the plaintext is long enough. */
    public static long timestamp(byte[] plain) {
        long v = 0;
        for (int i = 0; i < PacketFormat.TIMESTAMP_LENGTH; i++) {
            v = (v << 8) | (plain[PacketFormat.KIND_LENGTH + i] & 0xff);
        }
        return v;
    }

    /** Where the body starts, or -1 if a flagged timestamp does not fit in {@code length} bytes. */
    public static int bodyOffset(byte[] plain, int length) {
        int offset = PacketFormat.KIND_LENGTH + (hasTimestamp(plain) ? PacketFormat.TIMESTAMP_LENGTH : 0);
        return offset <= length ? offset : -1;
    }
}
