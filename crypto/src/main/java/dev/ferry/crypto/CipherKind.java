package dev.ferry.crypto;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The closed set of record ciphers; owns names, sizes and the factory (shadowsocks-crypto style).
 *
 * <p>The framing code never needs to know which cipher runs: it asks the kind for its sizes and
 * for an {@link Aead}. {@link #wireCode()} values are part of the protocol and must never be
 * reused for another cipher.
 */
public enum CipherKind {
    AES_256_GCM("aes-256-gcm", 32, 1),
    CHACHA20_POLY1305("chacha20-poly1305", 32, 2),
    AES_128_GCM("aes-128-gcm", 16, 3),
    /** No confidentiality and no integrity: bytes are copied. For benchmarks and debugging only. */
    NONE("none", 0, 0);

    /** Nonce length of every kind: 4 zero bytes then a 64-bit big-endian counter. */
    static final int NONCE_LENGTH = 12;
    /** Tag length of every real AEAD here (128-bit tags). */
    static final int TAG_LENGTH = 16;

    private static final String KNOWN =
            Arrays.stream(values()).map(CipherKind::cliName).collect(Collectors.joining(", "));

    private final String cliName;
    private final int keyLength;
    private final int wireCode;

    CipherKind(String cliName, int keyLength, int wireCode) {
        this.cliName = cliName;
        this.keyLength = keyLength;
        this.wireCode = wireCode;
    }

    /** The name used on the command line and in config files, e.g. {@code "aes-256-gcm"}. */
    public String cliName() {
        return cliName;
    }

    /** Key length in bytes; 0 for {@link #NONE}. */
    public int keyLength() {
        return keyLength;
    }

    /** 12 for every kind ({@link #NONE} too, where it is unused). */
    public int nonceLength() {
        return NONCE_LENGTH;
    }

    /** 16; 0 for {@link #NONE}. */
    public int tagLength() {
        return this == NONE ? 0 : TAG_LENGTH;
    }

    /** The byte used on the wire: 1, 2, 3; 0 for {@link #NONE}. */
    public int wireCode() {
        return wireCode;
    }

    /** The kind with this wire code, or {@code null} when the code is unknown. */
    public static CipherKind fromWireCode(int code) {
        for (CipherKind kind : values()) {
            if (kind.wireCode == code) {
                return kind;
            }
        }
        return null;
    }

    /**
     * The kind with this CLI name (ASCII case ignored).
     *
     * @throws IllegalArgumentException naming the known ciphers when the name is unknown
     */
    public static CipherKind fromName(String name) {
        if (name != null) {
            String lower = name.toLowerCase(Locale.ROOT);
            for (CipherKind kind : values()) {
                if (kind.cliName.equals(lower)) {
                    return kind;
                }
            }
        }
        throw new IllegalArgumentException("unknown cipher '" + name + "' (known: " + KNOWN + ")");
    }

    /**
     * A new AEAD for one direction of one session, keyed with a copy of {@code key}.
     *
     * @throws IllegalArgumentException when {@code key.length != keyLength()}
     */
    public Aead newAead(byte[] key) {
        if (key == null || key.length != keyLength) {
            throw new IllegalArgumentException(cliName + " needs a " + keyLength + "-byte key, got "
                    + (key == null ? "null" : key.length + " bytes"));
        }
        return switch (this) {
            case AES_256_GCM, AES_128_GCM -> JceAead.aesGcm(this, key);
            case CHACHA20_POLY1305 -> JceAead.chaCha20Poly1305(key);
            case NONE -> NoneAead.INSTANCE;
        };
    }

    @Override
    public String toString() {
        return cliName;
    }
}
