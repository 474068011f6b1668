package dev.ferry.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HkdfTest {

    /** RFC 5869 appendix A.1, test case 1 (SHA-256). */
    @Test
    void rfc5869TestCase1() {
        byte[] ikm = Hex.bytes("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] salt = Hex.bytes("000102030405060708090a0b0c");
        byte[] info = Hex.bytes("f0f1f2f3f4f5f6f7f8f9");
        String prk = "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5";
        String okm = "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";

        assertEquals(prk, Hex.hex(Hkdf.extract(salt, ikm)));
        assertEquals(okm, Hex.hex(Hkdf.expand(Hex.bytes(prk), info, 42)));
        assertEquals(okm, Hex.hex(Hkdf.derive(salt, ikm, info, 42)));
    }

    /** RFC 5869 appendix A.3, test case 3: empty salt and info. */
    @Test
    void rfc5869TestCase3EmptySaltAndInfo() {
        byte[] ikm = Hex.bytes("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        String prk = "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04";
        String okm = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8";

        assertEquals(prk, Hex.hex(Hkdf.extract(new byte[0], ikm)));
        assertEquals(prk, Hex.hex(Hkdf.extract(null, ikm)));
        assertEquals(okm, Hex.hex(Hkdf.derive(new byte[0], ikm, new byte[0], 42)));
        assertEquals(okm, Hex.hex(Hkdf.derive(null, ikm, null, 42)));
    }

    @Test
    void prefixesAgreeAcrossLengths() {
        byte[] prk = Hkdf.extract("salt".getBytes(), "ikm".getBytes());
        byte[] longest = Hkdf.expand(prk, "info".getBytes(), Hkdf.MAX_OUTPUT_LENGTH);
        assertEquals(8160, longest.length);
        byte[] shorter = Hkdf.expand(prk, "info".getBytes(), 33);
        assertArrayEquals(java.util.Arrays.copyOf(longest, 33), shorter);
    }

    @Test
    void badLengthsAreRefused() {
        byte[] prk = new byte[32];
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(prk, null, 0));
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(prk, null, Hkdf.MAX_OUTPUT_LENGTH + 1));
        assertThrows(IllegalArgumentException.class, () -> Hkdf.expand(new byte[31], null, 32));
        assertThrows(IllegalArgumentException.class, () -> Hkdf.derive(null, new byte[1], null, -1));
        assertThrows(IllegalArgumentException.class, () -> Hkdf.extract(null, null));
    }
}
