package dev.ferry.tunnel.secure;

import dev.ferry.crypto.Aead;
import dev.ferry.crypto.Hkdf;
import dev.ferry.crypto.PresharedKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import javax.crypto.AEADBadTagException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

import static dev.ferry.tunnel.secure.HandshakeFormat.HELLO_CIPHER;
import static dev.ferry.tunnel.secure.HandshakeFormat.SALT_LENGTH;

/**
 * Seals and opens hellos with keys derived from the pre-shared key and the hello's salt (plus, for the server
 * hello, the client's salt, which binds the answer to this one connection). Knowing the pre-shared key is what a
 * valid hello proves.
 */
final class HelloSealer {
    private final byte[] psk;

    HelloSealer(PresharedKey key) {
        this.psk = key.bytes();
    }

    /** Writes {@code salt | sealed body | padding} into a new buffer. */
    ByteBuf seal(ByteBufAllocator alloc, Hello hello, byte[] salt, byte[] peerSalt, byte[] label,
                 SecureRandom random) {
        Aead aead = HELLO_CIPHER.newAead(helloKey(salt, peerSalt, label));
        ByteBuf body = alloc.heapBuffer(Hello.BODY_LENGTH);
        ByteBuf out = alloc.heapBuffer(HandshakeFormat.SEALED_HELLO_LENGTH + hello.paddingLength());
        try {
            hello.writeTo(body);
            out.writeBytes(salt);
            ByteBuffer dst = out.nioBuffer(out.writerIndex(), Hello.BODY_LENGTH + aead.tagLength());
            aead.seal(0, body.nioBuffer(), dst);
            out.writerIndex(out.writerIndex() + Hello.BODY_LENGTH + aead.tagLength());
            byte[] padding = new byte[hello.paddingLength()];
            random.nextBytes(padding);
            out.writeBytes(padding);
            return out.retain();
        } finally {
            body.release();
            out.release();
        }
    }

    /**
     * Opens the sealed body that follows a salt. {@code sealed} holds exactly SEALED_HELLO_LENGTH readable bytes
     * starting with the salt; returns null when it does not authenticate or names an unknown cipher.
     */
    Hello open(ByteBuf sealed, byte[] peerSalt, byte[] label) {
        byte[] salt = new byte[SALT_LENGTH];
        sealed.getBytes(sealed.readerIndex(), salt);
        Aead aead = HELLO_CIPHER.newAead(helloKey(salt, peerSalt, label));
        ByteBuffer body = ByteBuffer.allocate(Hello.BODY_LENGTH);
        try {
            aead.open(0, sealed.nioBuffer(sealed.readerIndex() + SALT_LENGTH,
                    Hello.BODY_LENGTH + aead.tagLength()), body);
        } catch (AEADBadTagException e) {
            return null;
        }
        body.flip();
        return Hello.readFrom(io.netty.buffer.Unpooled.wrappedBuffer(body));
    }

    private byte[] helloKey(byte[] salt, byte[] peerSalt, byte[] label) {
        byte[] s = peerSalt == null ? salt : concat(salt, peerSalt);
        return Hkdf.derive(s, psk, label, HELLO_CIPHER.keyLength());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
