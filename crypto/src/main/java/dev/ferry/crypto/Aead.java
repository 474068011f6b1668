package dev.ferry.crypto;

import java.nio.ByteBuffer;
import javax.crypto.AEADBadTagException;

/**
 * An authenticated cipher for one direction of one session, created by {@link CipherKind#newAead}.
 *
 * <p>Threading: not thread-safe; one thread (the session's event loop) uses an instance.
 *
 * <p>Nonces: the 12-byte nonce is 4 zero bytes then {@code counter} as a 64-bit big-endian number.
 * The caller owns the counter and must never seal two records with the same counter under the
 * same key (nonce reuse breaks both GCM and ChaCha20-Poly1305 completely). The JCE additionally
 * refuses to seal twice in a row with the same counter ({@link IllegalStateException}), but that is
 * only a safety net, not a guarantee.
 *
 * <p>Buffers may be heap or direct. {@code in} and {@code out} must not overlap (the caller
 * guarantees it). Neither buffer is retained after the call.
 */
public interface Aead {

    /** The kind that created this AEAD. */
    CipherKind kind();

    /** Bytes the tag adds to each sealed record: 16, or 0 for {@link CipherKind#NONE}. */
    int tagLength();

    /**
     * Seals {@code in.remaining()} bytes of {@code in} into {@code out} followed by the tag, and
     * advances both buffers' positions.
     *
     * @throws java.nio.BufferOverflowException if {@code out.remaining() < in.remaining() + tagLength()};
     *     nothing is consumed or written then
     * @throws IllegalStateException if the JCE refuses (for example the same counter twice in a row)
     */
    void seal(long counter, ByteBuffer in, ByteBuffer out);

    /**
     * Opens {@code in} (ciphertext followed by the tag) into {@code out}, and advances both
     * buffers' positions.
     *
     * @throws AEADBadTagException if the tag does not verify (wrong key, counter, or tampered
     *     bytes) or {@code in.remaining() < tagLength()}; both positions are then left where they
     *     were and nothing the caller may use is written to {@code out}
     * @throws java.nio.BufferOverflowException if {@code out.remaining() < in.remaining() - tagLength()}
     */
    void open(long counter, ByteBuffer in, ByteBuffer out) throws AEADBadTagException;
}
