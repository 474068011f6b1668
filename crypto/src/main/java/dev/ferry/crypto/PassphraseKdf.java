package dev.ferry.crypto;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Stretches a human passphrase into the 32-byte pre-shared key with Argon2id (RFC 9106).
 *
 * <p>Every constant here is part of the protocol: both ends must derive the same key from the
 * same passphrase with nothing exchanged, so changing any of them is a protocol version change.
 *
 * <p>Why a fixed salt is acceptable: a salt exists to stop one precomputation from attacking many
 * password hashes at once. Here the output is a per-deployment key, not a stored password hash,
 * and both ends must reach it with nothing exchanged, so it cannot be random. The fixed,
 * ferry-specific salt still forces an attacker to run Argon2id (64 MiB, 3 passes) per guess
 * against ferry specifically; generic precomputed tables do not apply. Freshness per session
 * comes from the random salts and X25519 keys exchanged in the handshake, which feed HKDF.
 * Operators who can should prefer a random {@code base64:} key ({@link PresharedKey#generateSpec}).
 *
 * <p>The passphrase is encoded as UTF-8 exactly as given: no trimming, no Unicode normalisation.
 *
 * <p>Stateless and thread-safe; each call allocates the 64 MiB working memory.
 */
public final class PassphraseKdf {

    /** Argon2 type: Argon2id (hybrid), RFC 9106's recommended variant. */
    public static final int TYPE = Argon2Parameters.ARGON2_id;
    /** Argon2 version 0x13 (1.3), the version RFC 9106 specifies. */
    public static final int VERSION = Argon2Parameters.ARGON2_VERSION_13;
    /** Memory cost in KiB: 64 MiB. */
    public static final int MEMORY_KIB = 65536;
    /** Number of passes over memory. */
    public static final int ITERATIONS = 3;
    /** Lanes (parallelism degree); part of the output, not just of the speed. */
    public static final int PARALLELISM = 1;
    /** Output length: {@link PresharedKey#LENGTH}. */
    public static final int OUTPUT_LENGTH = 32;
    /** The 16 ASCII bytes {@code "ferry-argon2id-1"}. */
    public static final String SALT_ASCII = "ferry-argon2id-1";

    private PassphraseKdf() {
    }

    /** A copy of the fixed salt bytes. */
    public static byte[] salt() {
        return SALT_ASCII.getBytes(StandardCharsets.US_ASCII);
    }

    /** Derives the 32-byte key from the passphrase's UTF-8 bytes. */
    public static byte[] derive(String passphrase) {
        return derive(passphrase.getBytes(StandardCharsets.UTF_8));
    }

    /** Derives the 32-byte key from raw passphrase bytes; the caller may wipe them afterwards. */
    static byte[] derive(byte[] passphrase) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(TYPE)
                .withVersion(VERSION)
                .withMemoryAsKB(MEMORY_KIB)
                .withIterations(ITERATIONS)
                .withParallelism(PARALLELISM)
                .withSalt(salt())
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[OUTPUT_LENGTH];
        generator.generateBytes(passphrase, out);
        return out;
    }
}
