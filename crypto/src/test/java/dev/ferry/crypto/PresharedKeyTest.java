package dev.ferry.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PresharedKeyTest {

    private static final byte[] KEY = Hex.bytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final String KEY_SPEC = "base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void base64SpecRoundTrips() {
        PresharedKey key = PresharedKey.fromSpec(KEY_SPEC);
        assertArrayEquals(KEY, key.bytes());
        assertEquals(key, PresharedKey.ofBytes(KEY));
        assertEquals(KEY_SPEC, PresharedKey.BASE64_PREFIX + Base64.getEncoder().encodeToString(key.bytes()));
    }

    @Test
    void badBase64SaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PresharedKey.fromSpec("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*="));
        assertTrue(e.getMessage().startsWith("pre-shared key after 'base64:' is not valid base64: "), e.getMessage());
        assertOneLine(e);
    }

    @Test
    void wrongLengthSaysHowLong() {
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> PresharedKey.fromSpec("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="));
        assertEquals("pre-shared key after 'base64:' decodes to 31 bytes, need exactly 32 (44 base64 characters)",
                shortKey.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> PresharedKey.fromSpec("base64:"));
        assertEquals("pre-shared key after 'base64:' decodes to 0 bytes, need exactly 32 (44 base64 characters)",
                empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PresharedKey.ofBytes(new byte[33]));
    }

    @Test
    void emptyIsRefused() {
        assertEquals("pre-shared key is empty",
                assertThrows(IllegalArgumentException.class, () -> PresharedKey.fromSpec("")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PresharedKey.fromSpec(null));
        assertThrows(IllegalArgumentException.class, () -> PresharedKey.fromPassphrase(""));
    }

    @Test
    void passphraseSpecIsDeterministicAndPinned() {
        PresharedKey fromSpec = PresharedKey.fromSpec("correct horse battery staple");
        PresharedKey again = PresharedKey.fromPassphrase("correct horse battery staple");
        assertEquals(fromSpec, again);
        assertEquals(PassphraseKdfTest.GOLDEN_CORRECT_HORSE, Hex.hex(fromSpec.bytes()));
    }

    @Test
    void generatedSpecsAreDistinct32ByteKeys() {
        SecureRandom random = new SecureRandom();
        Set<String> specs = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String spec = PresharedKey.generateSpec(random);
            assertTrue(spec.startsWith("base64:"), spec);
            assertEquals(7 + 44, spec.length(), spec);
            assertEquals(32, PresharedKey.fromSpec(spec).bytes().length);
            assertTrue(specs.add(spec), "duplicate " + spec);
        }
    }

    @Test
    void toStringHidesTheKey() {
        PresharedKey key = PresharedKey.fromSpec(KEY_SPEC);
        String text = key.toString();
        assertFalse(text.contains(KEY_SPEC.substring(7, 20)), text);
        assertFalse(text.toLowerCase().contains(Hex.hex(KEY).substring(0, 8)), text);
        assertFalse(text.contains(java.util.Arrays.toString(KEY).substring(0, 8)), text);
        assertEquals(text, PresharedKey.ofBytes(new byte[32]).toString(), "toString must not depend on the key");
    }

    @Test
    void bytesAreCopiesAndEqualityFollowsContent() {
        byte[] input = KEY.clone();
        PresharedKey key = PresharedKey.ofBytes(input);
        input[0] = 99;
        assertArrayEquals(KEY, key.bytes(), "ofBytes copies");
        byte[] out = key.bytes();
        out[0] = 99;
        assertArrayEquals(KEY, key.bytes(), "bytes() copies");
        assertNotSame(key.bytes(), key.bytes());

        byte[] other = KEY.clone();
        other[31] ^= 1;
        assertNotEquals(key, PresharedKey.ofBytes(other));
        assertEquals(key.hashCode(), PresharedKey.ofBytes(other).hashCode(), "hashCode reveals nothing");
        assertNotEquals(key, "not a key");
    }

    private static void assertOneLine(Exception e) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
