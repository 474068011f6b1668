package dev.ferry.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

class PassphraseKdfTest {

    /**
     * The golden key for "correct horse battery staple", computed independently with OpenSSL's
     * Argon2id (Python cryptography 48: Argon2id(salt=b"ferry-argon2id-1", length=32,
     * iterations=3, lanes=1, memory_cost=65536)). If this fails, every deployed passphrase stops
     * matching: it is a protocol change.
     */
    static final String GOLDEN_CORRECT_HORSE = "d08c44d71aa34b6afcabebdfa782f60551eb8fb3cdc94af801cb479a540d9168";

    @Test
    void parametersArePinned() {
        assertEquals(Argon2Parameters.ARGON2_id, PassphraseKdf.TYPE);
        assertEquals(0x13, PassphraseKdf.VERSION);
        assertEquals(64 * 1024, PassphraseKdf.MEMORY_KIB);
        assertEquals(3, PassphraseKdf.ITERATIONS);
        assertEquals(1, PassphraseKdf.PARALLELISM);
        assertEquals(32, PassphraseKdf.OUTPUT_LENGTH);
        assertEquals("6665727279" + "2d6172676f6e326964" + "2d31", Hex.hex(PassphraseKdf.salt()));
        assertEquals(16, PassphraseKdf.salt().length);
    }

    @Test
    void goldenValueFromAnIndependentImplementation() {
        assertEquals(GOLDEN_CORRECT_HORSE, Hex.hex(PassphraseKdf.derive("correct horse battery staple")));
    }

    @Test
    void nonAsciiPassphraseIsUtf8AsGiven() {
        // Same OpenSSL path, over the UTF-8 bytes of "pässwörd ⚓" (NFC as typed here, no normalisation).
        assertEquals("90eb27689fa634423d8e1af14af64c10ee91b50886f1c3c08cd15d21ebe49dcd",
                Hex.hex(PassphraseKdf.derive("p\u00e4ssw\u00f6rd \u2693")));
    }

    /** RFC 9106 section 5.3 (Argon2id, v0x13): proves the BouncyCastle generator itself is right. */
    @Test
    void bouncyCastleGeneratorMatchesRfc9106() {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(32)
                .withIterations(3)
                .withParallelism(4)
                .withSalt(filled(16, 0x02))
                .withSecret(filled(8, 0x03))
                .withAdditional(filled(12, 0x04))
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] tag = new byte[32];
        generator.generateBytes(filled(32, 0x01), tag);
        assertEquals("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Hex.hex(tag));
    }

    @Test
    void stringAndBytesPathsAgree() {
        byte[] viaBytes = PassphraseKdf.derive("correct horse battery staple".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(Hex.bytes(GOLDEN_CORRECT_HORSE), viaBytes);
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
