package dev.ferry.crypto;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM and ChaCha20-Poly1305 through the JDK's own provider (SunJCE), which is an order of
 * magnitude faster than BouncyCastle here (see PLATFORM.md).
 *
 * <p>One {@link Cipher} is kept for the life of the instance and re-initialised on every call with
 * the counter nonce; the nonce array is reused too, so the hot path allocates only the small
 * parameter spec the JCE API demands. Not thread-safe.
 */
final class JceAead implements Aead {

    /** Builds the JCE parameter spec for one nonce (GCM and ChaCha20-Poly1305 take different ones). */
    @FunctionalInterface
    private interface ParamsFactory {
        AlgorithmParameterSpec forNonce(byte[] nonce);
    }

    private final CipherKind kind;
    private final Cipher cipher;
    private final SecretKeySpec key;
    private final ParamsFactory params;
    private final byte[] nonce = new byte[CipherKind.NONCE_LENGTH];

    private JceAead(CipherKind kind, String transformation, SecretKeySpec key, ParamsFactory params) {
        this.kind = kind;
        this.key = key;
        this.params = params;
        try {
            this.cipher = Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " is not available in this JDK", e);
        }
    }

    static JceAead aesGcm(CipherKind kind, byte[] key) {
        return new JceAead(kind, "AES/GCM/NoPadding", new SecretKeySpec(key, "AES"),
                nonce -> new GCMParameterSpec(CipherKind.TAG_LENGTH * 8, nonce));
    }

    static JceAead chaCha20Poly1305(byte[] key) {
        return new JceAead(CipherKind.CHACHA20_POLY1305, "ChaCha20-Poly1305",
                new SecretKeySpec(key, "ChaCha20"), IvParameterSpec::new);
    }

    @Override
    public CipherKind kind() {
        return kind;
    }

    @Override
    public int tagLength() {
        return CipherKind.TAG_LENGTH;
    }

    @Override
    public void seal(long counter, ByteBuffer in, ByteBuffer out) {
        if (out.remaining() - CipherKind.TAG_LENGTH < in.remaining()) {
            throw new BufferOverflowException();
        }
        try {
            init(Cipher.ENCRYPT_MODE, counter);
            cipher.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(kind + " seal failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void open(long counter, ByteBuffer in, ByteBuffer out) throws AEADBadTagException {
        int plainLength = in.remaining() - CipherKind.TAG_LENGTH;
        if (plainLength < 0) {
            throw new AEADBadTagException(kind + " record of " + in.remaining()
                    + " bytes is shorter than the tag");
        }
        if (out.remaining() < plainLength) {
            throw new BufferOverflowException();
        }
        int inPosition = in.position();
        int outPosition = out.position();
        // JDK 25 bug worked around: on a GCM tag mismatch SunJCE zeroes a direct `out` from its
        // base address for position + length bytes, wiping bytes *before* out.position() (with a
        // Netty internalNioBuffer view, other buffers of the pooled chunk). A slice starts at
        // out.position(), so the wipe stays inside the region we were given. It also keeps the
        // JCE's dst.mark()/reset() off the caller's buffer.
        ByteBuffer target = out.isDirect() ? out.slice() : out;
        try {
            init(Cipher.DECRYPT_MODE, counter);
            cipher.doFinal(in, target);
            if (target != out) {
                out.position(outPosition + target.position());
            }
        } catch (AEADBadTagException e) {
            // SunJCE GCM decrypts first and zeroes that region on a bad tag; ChaCha20-Poly1305
            // verifies first. Either way wind back, so a failed open never looks like progress.
            in.position(inPosition);
            out.position(outPosition);
            throw e;
        } catch (GeneralSecurityException e) {
            in.position(inPosition);
            out.position(outPosition);
            throw new IllegalStateException(kind + " open failed: " + e.getMessage(), e);
        }
    }

    private void init(int mode, long counter) throws GeneralSecurityException {
        // nonce = 4 zero bytes || counter big-endian; bytes 0..3 stay zero for ever.
        for (int i = 11; i >= 4; i--) {
            nonce[i] = (byte) counter;
            counter >>>= 8;
        }
        // The spec constructors copy the array, so reusing `nonce` is safe.
        cipher.init(mode, key, params.forNonce(nonce));
    }
}
