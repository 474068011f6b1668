package dev.ferry.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * An X25519 ephemeral key pair (RFC 7748) on the JDK's built-in XDH.
 *
 * <p>Raw public keys are the 32-byte little-endian u-coordinate. Peer keys are decoded as RFC 7748
 * section 5 says: the top bit is masked and non-canonical values are reduced mod p.
 * {@link #agree} refuses an all-zero shared secret (a low-order peer point), so a peer cannot
 * force a known secret.
 *
 * <p>Thread-safe (immutable; each agreement takes its own {@link KeyAgreement}). Meant to be used
 * once per handshake and dropped.
 */
public final class X25519 {

    public static final int KEY_LENGTH = 32;

    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final byte[] BASE_POINT = basePoint();

    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private X25519(PrivateKey privateKey, byte[] publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A fresh ephemeral key pair drawn from {@code random}. */
    public static X25519 generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
            generator.initialize(NamedParameterSpec.X25519, random);
            KeyPair pair = generator.generateKeyPair();
            return new X25519(pair.getPrivate(), encodeU(((XECPublicKey) pair.getPublic()).getU()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available in this JDK", e);
        }
    }

    /**
     * A key pair from a raw 32-byte private scalar (clamped by the JDK as RFC 7748 says). For test
     * vectors only: real keys come from {@link #generate}.
     */
    static X25519 fromPrivateKey(byte[] scalar) {
        if (scalar.length != KEY_LENGTH) {
            throw new IllegalArgumentException("X25519 private key must be " + KEY_LENGTH + " bytes");
        }
        try {
            PrivateKey key = KeyFactory.getInstance("X25519")
                    .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
            return new X25519(key, rawAgree(key, BASE_POINT));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available in this JDK", e);
        }
    }

    /** Our 32-byte raw public key (a copy). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * The 32-byte shared secret with the peer's raw public key. Feed it to {@link Hkdf}, never use
     * it as a key directly.
     *
     * @throws InvalidKeyException if the peer key is not 32 bytes or is a low-order point (the
     *     result would be all zeros)
     */
    public byte[] agree(byte[] peerPublicKey) throws InvalidKeyException {
        if (peerPublicKey == null || peerPublicKey.length != KEY_LENGTH) {
            throw new InvalidKeyException("X25519 public key must be " + KEY_LENGTH + " bytes, got "
                    + (peerPublicKey == null ? "null" : peerPublicKey.length));
        }
        byte[] secret = rawAgree(privateKey, peerPublicKey);
        if (isAllZero(secret)) {
            throw new InvalidKeyException("X25519 peer public key is a low-order point");
        }
        return secret;
    }

    private static byte[] rawAgree(PrivateKey privateKey, byte[] peerPublicKey) throws InvalidKeyException {
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(privateKey);
            agreement.doPhase(KeyFactory.getInstance("X25519")
                    .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(peerPublicKey))), true);
            return agreement.generateSecret();
        } catch (InvalidKeyException e) {
            // The JDK itself throws this for a zero result ("Point has small order").
            throw e;
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyException("X25519 agreement failed: " + e.getMessage(), e);
        }
    }

    /** RFC 7748 decodeUCoordinate: little-endian, top bit masked, then reduced mod p. */
    private static BigInteger decodeU(byte[] raw) {
        byte[] bigEndian = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            bigEndian[i] = raw[KEY_LENGTH - 1 - i];
        }
        bigEndian[0] &= 0x7f;
        return new BigInteger(1, bigEndian).mod(P);
    }

    private static byte[] encodeU(BigInteger u) {
        byte[] bigEndian = u.toByteArray();   // may carry a leading sign byte or be short
        byte[] raw = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH && i < bigEndian.length; i++) {
            raw[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return raw;
    }

    private static boolean isAllZero(byte[] bytes) {
        int acc = 0;
        for (byte b : bytes) {
            acc |= b;
        }
        return acc == 0;
    }

    private static byte[] basePoint() {
        byte[] u = new byte[KEY_LENGTH];
        u[0] = 9;
        return u;
    }

    @Override
    public String toString() {
        return "X25519[ephemeral]";
    }
}
