package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;

/**
 * Sizes and labels of the handshake; docs/PROTOCOL.md ("Handshake") draws the messages. Each hello on the wire is
 * {@code salt (32) | sealed body (52 + 16) | padding (0..MAX_PADDING random bytes)}, so nothing in it is
 * distinguishable from random bytes by an observer without the key.
 */
final class HandshakeFormat {
    static final int VERSION = 1;
    /** No optional features yet; a feature is used only when both hellos set its bit. Unknown bits are ignored. */
    static final int CAPABILITIES = 0;
    static final int SALT_LENGTH = 32;
    /** Hellos are always sealed with this cipher, whatever cipher the records use. */
    static final CipherKind HELLO_CIPHER = CipherKind.AES_256_GCM;
    static final int SEALED_HELLO_LENGTH = SALT_LENGTH + Hello.BODY_LENGTH + 16;
    static final int MAX_PADDING = 255;
    /** A hello whose timestamp is further than this from the receiver's clock is refused. */
    static final long MAX_CLOCK_SKEW_MILLIS = 30_000;

    static final byte[] CLIENT_HELLO_LABEL = ascii("ferry/1 client hello");
    static final byte[] SERVER_HELLO_LABEL = ascii("ferry/1 server hello");
    static final byte[] CLIENT_TO_SERVER_LABEL = ascii("ferry/1 c2s");
    static final byte[] SERVER_TO_CLIENT_LABEL = ascii("ferry/1 s2c");

    /** Smallest per-stream window a peer may announce; larger than one full frame. */
    static final int MIN_STREAM_WINDOW = 16 * 1024;

    /** A window is valid from 16 KiB to 2^31-1 bytes (the u32 field read as a signed int must be positive). */
    static boolean isValidWindow(int window) {
        return window >= MIN_STREAM_WINDOW;
    }

    private HandshakeFormat() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
