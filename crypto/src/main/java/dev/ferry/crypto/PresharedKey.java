package dev.ferry.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The 32-byte pre-shared key both ends hold.
 *
 * <p>Immutable and thread-safe; the bytes are copied in and out. {@link #toString()} never
 * reveals the key, and {@link #equals} compares in constant time.
 */
public final class PresharedKey {

    public static final String BASE64_PREFIX = "base64:";
    public static final int LENGTH = 32;

    private final byte[] key;

    private PresharedKey(byte[] ownedKey) {
        this.key = ownedKey;
    }

    /**
     * Parses a key spec: {@code "base64:<44 chars>"} is a raw key (standard Base64 alphabet),
     * anything else a passphrase stretched with {@link PassphraseKdf} (slow on purpose: about
     * 64 MiB and a fraction of a second). A spec that starts with {@code "base64:"} is never taken
     * as a passphrase, so a typo in a key fails loudly instead of yielding a different key.
     *
     * @throws IllegalArgumentException with a one-line message saying what is wrong
     */
    public static PresharedKey fromSpec(String spec) {
        if (spec == null || spec.isEmpty()) {
            throw new IllegalArgumentException("pre-shared key is empty");
        }
        if (!spec.startsWith(BASE64_PREFIX)) {
            return fromPassphrase(spec);
        }
        String encoded = spec.substring(BASE64_PREFIX.length());
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pre-shared key after '" + BASE64_PREFIX
                    + "' is not valid base64: " + e.getMessage());
        }
        if (decoded.length != LENGTH) {
            throw new IllegalArgumentException("pre-shared key after '" + BASE64_PREFIX + "' decodes to "
                    + decoded.length + " bytes, need exactly " + LENGTH + " (44 base64 characters)");
        }
        return new PresharedKey(decoded);
    }

    /** Stretches a non-empty passphrase with {@link PassphraseKdf} (Argon2id). */
    public static PresharedKey fromPassphrase(String passphrase) {
        if (passphrase == null || passphrase.isEmpty()) {
            throw new IllegalArgumentException("pre-shared key passphrase is empty");
        }
        byte[] utf8 = passphrase.getBytes(StandardCharsets.UTF_8);
        try {
            return new PresharedKey(PassphraseKdf.derive(utf8));
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }

    /** Wraps a copy of exactly {@value #LENGTH} key bytes. */
    public static PresharedKey ofBytes(byte[] key32) {
        Objects.requireNonNull(key32, "key32");
        if (key32.length != LENGTH) {
            throw new IllegalArgumentException("pre-shared key must be " + LENGTH + " bytes, got " + key32.length);
        }
        return new PresharedKey(key32.clone());
    }

    /** A fresh {@code "base64:..."} spec from {@value #LENGTH} random bytes. */
    public static String generateSpec(SecureRandom random) {
        byte[] bytes = new byte[LENGTH];
        random.nextBytes(bytes);
        try {
            return BASE64_PREFIX + Base64.getEncoder().encodeToString(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** A copy of the key bytes. */
    public byte[] bytes() {
        return key.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PresharedKey that && MessageDigest.isEqual(key, that.key);
    }

    /** Constant: a hash of the key would leak bits of it into logs and maps, and nobody hashes keys. */
    @Override
    public int hashCode() {
        return LENGTH;
    }

    @Override
    public String toString() {
        return "PresharedKey[" + LENGTH + " bytes, hidden]";
    }
}
