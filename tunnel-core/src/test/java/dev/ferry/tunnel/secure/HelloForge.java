package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.Hkdf;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.crypto.X25519;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Builds hellos the real handlers would never send, sealed with a real key, so the server's checks behind the
 * authentication (version, timestamp, cipher, ephemeral key) and the client's checks of the answer can be reached.
 * The sealing is written out here from the layout in {@link HandshakeFormat} and {@link Hello} instead of calling
 * {@link HelloSealer}, so that a body with any byte (an unknown cipher code, say) can be sealed.
 */
final class HelloForge {
    private HelloForge() {
    }

    /** A well-formed client hello body with the given fields and a fresh ephemeral key from {@code random}. */
    static byte[] clientBody(CipherKind cipher, long timestampMillis, int window, int padding, SecureRandom random) {
        return body(HandshakeFormat.VERSION, cipher.wireCode(), timestampMillis, window,
                X25519.generate(random).publicKey(), padding);
    }

    static byte[] body(int version, int cipherCode, long timestampMillis, int window, byte[] ephemeralKey,
                       int padding) {
        ByteBuf b = Unpooled.buffer(Hello.BODY_LENGTH);
        try {
            b.writeByte(version);
            b.writeInt(HandshakeFormat.CAPABILITIES);
            b.writeByte(cipherCode);
            b.writeLong(timestampMillis);
            b.writeInt(window);
            b.writeBytes(ephemeralKey);
            b.writeShort(padding);
            byte[] out = new byte[Hello.BODY_LENGTH];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    /** {@code salt | seal(body) | padding}: a client hello as the wire carries it. */
    static byte[] sealClientHello(PresharedKey key, byte[] body, SecureRandom random) {
        byte[] salt = new byte[HandshakeFormat.SALT_LENGTH];
        random.nextBytes(salt);
        return seal(key, body, salt, null, HandshakeFormat.CLIENT_HELLO_LABEL, random);
    }

    /** A server hello answering the client hello that began with {@code clientSalt}. */
    static byte[] sealServerHello(PresharedKey key, byte[] body, byte[] clientSalt, SecureRandom random) {
        byte[] salt = new byte[HandshakeFormat.SALT_LENGTH];
        random.nextBytes(salt);
        return seal(key, body, salt, clientSalt, HandshakeFormat.SERVER_HELLO_LABEL, random);
    }

    private static byte[] seal(PresharedKey key, byte[] body, byte[] salt, byte[] peerSalt, byte[] label,
                               SecureRandom random) {
        byte[] kdfSalt = peerSalt == null ? salt : HelloSealer.concat(salt, peerSalt);
        byte[] helloKey = Hkdf.derive(kdfSalt, key.bytes(), label, HandshakeFormat.HELLO_CIPHER.keyLength());
        int padding = ((body[Hello.BODY_LENGTH - 2] & 0xFF) << 8) | (body[Hello.BODY_LENGTH - 1] & 0xFF);
        int tag = HandshakeFormat.HELLO_CIPHER.tagLength();
        ByteBuffer out = ByteBuffer.allocate(HandshakeFormat.SEALED_HELLO_LENGTH + padding);
        out.put(salt);
        HandshakeFormat.HELLO_CIPHER.newAead(helloKey).seal(0, ByteBuffer.wrap(body),
                out.slice(out.position(), Hello.BODY_LENGTH + tag));
        out.position(out.position() + Hello.BODY_LENGTH + tag);
        byte[] pad = new byte[padding];
        random.nextBytes(pad);
        out.put(pad);
        return out.array();
    }

    static byte[] salt(byte[] hello) {
        byte[] s = new byte[HandshakeFormat.SALT_LENGTH];
        System.arraycopy(hello, 0, s, 0, s.length);
        return s;
    }
}
