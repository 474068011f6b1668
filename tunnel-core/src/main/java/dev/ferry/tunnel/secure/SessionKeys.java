package dev.ferry.tunnel.secure;

import dev.ferry.crypto.Aead;
import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.Hkdf;
import dev.ferry.crypto.PresharedKey;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Per-direction record keys of one tunnel. Derived as
 * {@code HKDF-SHA256(salt = SHA-256(client hello bytes | server hello bytes), ikm = X25519 secret | psk,
 * info = "ferry/1 c2s" or "ferry/1 s2c")}: the ephemeral secret gives forward secrecy, the transcript binds every
 * handshake byte (padding included), the psk keeps a man in the middle who broke nothing else out.
 */
record SessionKeys(Aead send, Aead receive) {

    static SessionKeys derive(boolean client, CipherKind cipher, byte[] sharedSecret, PresharedKey psk,
                              byte[] clientHello, byte[] serverHello) {
        byte[] transcript = sha256(clientHello, serverHello);
        byte[] ikm = HelloSealer.concat(sharedSecret, psk.bytes());
        int len = Math.max(cipher.keyLength(), 1);
        byte[] c2s = Hkdf.derive(transcript, ikm, HandshakeFormat.CLIENT_TO_SERVER_LABEL, len);
        byte[] s2c = Hkdf.derive(transcript, ikm, HandshakeFormat.SERVER_TO_CLIENT_LABEL, len);
        Aead c2sAead = cipher.newAead(cipher == CipherKind.NONE ? new byte[0] : c2s);
        Aead s2cAead = cipher.newAead(cipher == CipherKind.NONE ? new byte[0] : s2c);
        return client ? new SessionKeys(c2sAead, s2cAead) : new SessionKeys(s2cAead, c2sAead);
    }

    private static byte[] sha256(byte[] a, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(a);
            md.update(b);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
