package dev.ferry.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869) via JDK 25's {@code javax.crypto.KDF} ("HKDF-SHA256").
 *
 * <p>Stateless and thread-safe: every call takes its own {@link KDF}. Used by the handshake, not
 * per record. A {@code null} or empty salt means "no salt" (RFC 5869: HashLen zero bytes);
 * {@code null} info means empty info. Arguments are not retained.
 */
public final class Hkdf {

    /** SHA-256 output length, also the PRK length. */
    public static final int HASH_LENGTH = 32;
    /** RFC 5869 limit on the expand output: 255 * HashLen. */
    public static final int MAX_OUTPUT_LENGTH = 255 * HASH_LENGTH;

    private static final String ALGORITHM = "HKDF-SHA256";
    private static final byte[] EMPTY = new byte[0];

    private Hkdf() {
    }

    /** HKDF-Extract: the 32-byte pseudorandom key for {@code ikm} under {@code salt}. */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        return run(builder(salt, ikm).extractOnly());
    }

    /**
     * HKDF-Expand: {@code length} bytes of output keying material from {@code prk}.
     *
     * @throws IllegalArgumentException if {@code prk} is shorter than 32 bytes or {@code length}
     *     is not in 1..8160
     */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        checkLength(length);
        if (prk == null || prk.length < HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA256 PRK must be at least " + HASH_LENGTH + " bytes");
        }
        return run(HKDFParameterSpec.expandOnly(new SecretKeySpec(prk, "HKDF-PRK"), orEmpty(info), length));
    }

    /** Extract then expand in one call. */
    public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
        checkLength(length);
        return run(builder(salt, ikm).thenExpand(orEmpty(info), length));
    }

    private static HKDFParameterSpec.Builder builder(byte[] salt, byte[] ikm) {
        if (ikm == null) {
            throw new IllegalArgumentException("HKDF input keying material is null");
        }
        // The JDK builder skips empty arrays, which gives RFC 5869's meaning for both.
        return HKDFParameterSpec.ofExtract().addSalt(orEmpty(salt)).addIKM(ikm);
    }

    private static void checkLength(int length) {
        if (length < 1 || length > MAX_OUTPUT_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA256 output length must be 1.." + MAX_OUTPUT_LENGTH
                    + ", got " + length);
        }
    }

    private static byte[] orEmpty(byte[] bytes) {
        return bytes == null ? EMPTY : bytes;
    }

    private static byte[] run(AlgorithmParameterSpec spec) {
        try {
            return KDF.getInstance(ALGORITHM).deriveData(spec);
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalArgumentException("HKDF-SHA256: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
        }
    }
}
