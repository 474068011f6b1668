package dev.ferry.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class X25519Test {

    // RFC 7748 section 6.1.
    private static final String ALICE_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private static final String BOB_PRIVATE = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private static final String BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private static final String SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    @Test
    void rfc7748AliceAndBob() throws Exception {
        X25519 alice = X25519.fromPrivateKey(Hex.bytes(ALICE_PRIVATE));
        X25519 bob = X25519.fromPrivateKey(Hex.bytes(BOB_PRIVATE));
        assertEquals(ALICE_PUBLIC, Hex.hex(alice.publicKey()));
        assertEquals(BOB_PUBLIC, Hex.hex(bob.publicKey()));
        assertEquals(SHARED, Hex.hex(alice.agree(Hex.bytes(BOB_PUBLIC))));
        assertEquals(SHARED, Hex.hex(bob.agree(Hex.bytes(ALICE_PUBLIC))));
    }

    @Test
    void topBitOfPeerKeyIsIgnored() throws Exception {
        // RFC 7748 section 5: the most significant bit of the u-coordinate is masked.
        byte[] bobWithTopBit = Hex.bytes(BOB_PUBLIC);
        bobWithTopBit[31] |= (byte) 0x80;
        assertEquals(SHARED, Hex.hex(X25519.fromPrivateKey(Hex.bytes(ALICE_PRIVATE)).agree(bobWithTopBit)));
    }

    @Test
    void generatedPairsAgree() throws Exception {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            X25519 a = X25519.generate(random);
            X25519 b = X25519.generate(random);
            assertEquals(32, a.publicKey().length);
            byte[] ab = a.agree(b.publicKey());
            assertArrayEquals(ab, b.agree(a.publicKey()));
            assertFalse(Arrays.equals(a.publicKey(), b.publicKey()));
        }
    }

    /** Points of small order (and their non-canonical encodings) give an all-zero secret: refused. */
    @ParameterizedTest
    @ValueSource(strings = {
        "0000000000000000000000000000000000000000000000000000000000000000",   // 0
        "0100000000000000000000000000000000000000000000000000000000000000",   // 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",   // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",   // order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",   // p - 1
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",   // p (= 0)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",   // p + 1 (= 1)
        "0000000000000000000000000000000000000000000000000000000000000080",   // 0 with the top bit
    })
    void lowOrderPointsAreRefused(String point) {
        X25519 ours = X25519.generate(new SecureRandom());
        assertThrows(InvalidKeyException.class, () -> ours.agree(Hex.bytes(point)));
    }

    @Test
    void wrongLengthIsRefused() {
        X25519 ours = X25519.generate(new SecureRandom());
        assertThrows(InvalidKeyException.class, () -> ours.agree(new byte[31]));
        assertThrows(InvalidKeyException.class, () -> ours.agree(new byte[33]));
        assertThrows(InvalidKeyException.class, () -> ours.agree(null));
    }

    @Test
    void publicKeyIsACopy() {
        X25519 ours = X25519.generate(new SecureRandom());
        byte[] first = ours.publicKey();
        first[0] ^= 1;
        assertFalse(Arrays.equals(first, ours.publicKey()));
    }
}
