package dev.ferry.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class AeadTest {

    private static final int[] SIZES = {0, 1, 1200, 16384};
    /** Buffers start at this offset, as Netty's nioBuffer views of a pooled chunk usually do. */
    private static final int OFFSET = 7;
    private static final long SEED = 0x5eed_f00dL;

    static Stream<Arguments> kindsSizesAndBuffers() {
        List<Arguments> all = new ArrayList<>();
        for (CipherKind kind : CipherKind.values()) {
            for (int size : SIZES) {
                for (boolean direct : new boolean[] {false, true}) {
                    all.add(Arguments.of(kind, size, direct));
                }
            }
        }
        return all.stream();
    }

    static Stream<CipherKind> realKinds() {
        return Stream.of(CipherKind.values()).filter(k -> k != CipherKind.NONE);
    }

    @ParameterizedTest(name = "{0} {1} bytes direct={2}")
    @MethodSource("kindsSizesAndBuffers")
    void sealThenOpenRoundTrips(CipherKind kind, int size, boolean direct) throws Exception {
        byte[] key = randomBytes(kind.keyLength(), 1);
        byte[] plain = randomBytes(size, 2);
        long counter = 0x0102_0304_0506_0708L + size;

        ByteBuffer in = window(direct, plain, 0);
        ByteBuffer sealed = allocate(direct, size + kind.tagLength());
        kind.newAead(key).seal(counter, in, sealed);
        assertEquals(0, in.remaining(), "seal consumes all of in");
        assertEquals(0, sealed.remaining(), "seal writes exactly size + tag");
        byte[] wire = contents(sealed);
        if (kind != CipherKind.NONE && size > 0) {
            assertFalse(Arrays.equals(plain, Arrays.copyOf(wire, size)), "ciphertext differs from plaintext");
        }

        // The other end: a separate Aead, and the other buffer type, to cross heap/direct.
        ByteBuffer cipherIn = window(!direct, wire, 0);
        ByteBuffer opened = allocate(!direct, size);
        kind.newAead(key).open(counter, cipherIn, opened);
        assertEquals(0, cipherIn.remaining());
        assertEquals(0, opened.remaining());
        assertArrayEquals(plain, contents(opened));
    }

    @ParameterizedTest(name = "{0} {1} bytes direct={2}")
    @MethodSource("kindsSizesAndBuffers")
    void sealMatchesBouncyCastle(CipherKind kind, int size, boolean direct) throws Exception {
        byte[] key = randomBytes(kind.keyLength(), 3);
        byte[] plain = randomBytes(size, 4);
        long counter = size * 31L + (direct ? 1 : 0);
        ByteBuffer sealed = allocate(direct, size + kind.tagLength());
        kind.newAead(key).seal(counter, window(direct, plain, 0), sealed);
        byte[] expected = kind == CipherKind.NONE ? plain : bouncyCastle(kind, true, key, counter, plain);
        assertArrayEquals(expected, contents(sealed));
    }

    @ParameterizedTest
    @MethodSource("realKinds")
    void manyCountersMatchBouncyCastleBothWays(CipherKind kind) throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] key = randomBytes(kind.keyLength(), 5);
        Aead sealer = kind.newAead(key);
        Aead opener = kind.newAead(key);
        for (int i = 0; i < 200; i++) {
            long counter = i < 100 ? i : random.nextLong();   // the top bit too: counters are unsigned
            byte[] plain = new byte[random.nextInt(1500)];
            random.nextBytes(plain);
            String where = kind + " seed=" + SEED + " i=" + i + " counter=" + Long.toUnsignedString(counter);

            ByteBuffer sealed = ByteBuffer.allocate(plain.length + 16);
            sealer.seal(counter, ByteBuffer.wrap(plain), sealed);
            assertArrayEquals(bouncyCastle(kind, true, key, counter, plain), sealed.array(), where);

            byte[] bcSealed = bouncyCastle(kind, true, key, counter, plain);
            ByteBuffer opened = ByteBuffer.allocate(plain.length);
            opener.open(counter, ByteBuffer.wrap(bcSealed), opened);
            assertArrayEquals(plain, opened.array(), where);
        }
    }

    /** McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 1, 2, 13, 14: zero IV = counter 0. */
    @Test
    void aesGcmPublishedVectors() throws Exception {
        assertKnownAnswer(CipherKind.AES_128_GCM, new byte[16], 0, "", "58e2fccefa7e3061367f1d57a4e7455a");
        assertKnownAnswer(CipherKind.AES_128_GCM, new byte[16], 0, "00000000000000000000000000000000",
                "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf");
        assertKnownAnswer(CipherKind.AES_256_GCM, new byte[32], 0, "", "530f8afbc74536b9a963b4f1c4cb738b");
        assertKnownAnswer(CipherKind.AES_256_GCM, new byte[32], 0, "00000000000000000000000000000000",
                "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919");
    }

    /**
     * Golden values computed once with OpenSSL (Python cryptography 48: AESGCM, ChaCha20Poly1305)
     * with nonce 00000000 0102030405060708. RFC 8439's vectors all carry AAD, which this API has
     * not, hence OpenSSL plus the BouncyCastle cross-checks above as the independent paths.
     */
    @Test
    void goldenValuesFromOpenSsl() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        String plain = Hex.hex("ferry record 0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long counter = 0x0102030405060708L;
        assertKnownAnswer(CipherKind.AES_256_GCM, key, counter, plain,
                "6234177ca4c17bfb60f08f8b3e5708c249cd69f4e0ed71ebee8042ddb49d1e19140b968e86e2a7");
        assertKnownAnswer(CipherKind.CHACHA20_POLY1305, key, counter, plain,
                "8983d78adcacdaf973d09ab2aadc166ca6b851672b75119b5ee2c51458f5738160ed344238b38f");
        assertKnownAnswer(CipherKind.AES_128_GCM, Arrays.copyOf(key, 16), counter, plain,
                "cad130bf7196df77ce1b2505ff992ca84c293fa21e67493f513b94d19af000c5746e788fb501d0");
        assertKnownAnswer(CipherKind.CHACHA20_POLY1305, new byte[32], 0, "", "4eb972c9a8fb3a1b382bb4d36f5ffad1");
    }

    static Stream<Arguments> tamperCases() {
        List<Arguments> all = new ArrayList<>();
        realKinds().forEach(kind -> {
            for (int size : new int[] {0, 1, 1200}) {
                for (boolean direct : new boolean[] {false, true}) {
                    all.add(Arguments.of(kind, size, direct));
                }
            }
        });
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} bytes direct={2}")
    @MethodSource("tamperCases")
    void anyFlippedBitIsRefusedAndLeavesBuffersAlone(CipherKind kind, int size, boolean direct) throws Exception {
        byte[] key = randomBytes(kind.keyLength(), 6);
        byte[] wire = seal(kind, key, 42, randomBytes(size, 7));
        Aead opener = kind.newAead(key);
        // Every bit of the ciphertext and of the tag for short records; a sample for long ones.
        int step = wire.length > 64 ? 97 : 1;
        for (int bitIndex = 0; bitIndex < wire.length * 8; bitIndex += step) {
            byte[] tampered = wire.clone();
            tampered[bitIndex / 8] ^= (byte) (1 << (bitIndex % 8));
            assertRefused(opener, 42, tampered, direct, kind + " bit " + bitIndex);
        }
        // Bit 0 is always in the loop above; make sure the last tag bit is too.
        byte[] lastTagBit = wire.clone();
        lastTagBit[wire.length - 1] ^= (byte) 0x80;
        assertRefused(opener, 42, lastTagBit, direct, "last tag bit");
        // After all the failures the same Aead still opens the genuine record.
        ByteBuffer out = allocate(direct, size);
        opener.open(42, window(direct, wire, OFFSET), out);
        assertEquals(0, out.remaining());
    }

    @ParameterizedTest
    @MethodSource("realKinds")
    void wrongCounterOrKeyIsRefused(CipherKind kind) throws Exception {
        byte[] key = randomBytes(kind.keyLength(), 8);
        byte[] wire = seal(kind, key, 1000, randomBytes(100, 9));
        Aead opener = kind.newAead(key);
        assertRefused(opener, 1001, wire, false, "counter + 1");
        assertRefused(opener, 999, wire, true, "counter - 1");
        assertRefused(opener, 1000L | (1L << 63), wire, false, "top counter bit");
        byte[] otherKey = key.clone();
        otherKey[0] ^= 1;
        assertRefused(kind.newAead(otherKey), 1000, wire, false, "other key");
    }

    @ParameterizedTest
    @MethodSource("realKinds")
    void recordShorterThanTagIsABadTag(CipherKind kind) {
        Aead aead = kind.newAead(new byte[kind.keyLength()]);
        ByteBuffer in = ByteBuffer.allocate(15);
        ByteBuffer out = ByteBuffer.allocate(64);
        assertThrows(AEADBadTagException.class, () -> aead.open(0, in, out));
        assertEquals(0, in.position());
        assertEquals(0, out.position());
    }

    @ParameterizedTest
    @EnumSource(CipherKind.class)
    void tooSmallOutputOverflowsWithoutSideEffects(CipherKind kind) throws Exception {
        byte[] key = new byte[kind.keyLength()];
        Aead aead = kind.newAead(key);
        ByteBuffer in = ByteBuffer.allocate(100);
        ByteBuffer out = ByteBuffer.allocate(100 + kind.tagLength() - 1);
        assertThrows(BufferOverflowException.class, () -> aead.seal(5, in, out));
        assertEquals(0, in.position());
        assertEquals(0, out.position());

        byte[] wire = seal(kind, key, 6, new byte[100]);
        ByteBuffer sealed = ByteBuffer.wrap(wire);
        ByteBuffer small = ByteBuffer.allocate(99);
        assertThrows(BufferOverflowException.class, () -> aead.open(6, sealed, small));
        assertEquals(0, sealed.position());
        assertEquals(0, small.position());
    }

    /** The JCE's own guard: sealing the same counter twice in a row is refused, not silently done. */
    @ParameterizedTest
    @MethodSource("realKinds")
    void repeatedSealCounterIsCaughtByTheJce(CipherKind kind) {
        Aead aead = kind.newAead(randomBytes(kind.keyLength(), 10));
        aead.seal(77, ByteBuffer.allocate(10), ByteBuffer.allocate(26));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> aead.seal(77, ByteBuffer.allocate(10), ByteBuffer.allocate(26)));
        assertEquals(true, e.getMessage().startsWith(kind.cliName() + " seal failed"), e.getMessage());

        // The refusal leaves the Aead usable: the next counter seals and opens.
        byte[] plain = randomBytes(10, 12);
        ByteBuffer sealed = ByteBuffer.allocate(26);
        aead.seal(78, ByteBuffer.wrap(plain), sealed);
        assertArrayEquals(bouncyCastleOrThrow(kind, randomBytes(kind.keyLength(), 10), 78, plain), sealed.array());
    }

    @ParameterizedTest
    @MethodSource("realKinds")
    void oneAeadMayAlternateSealAndOpen(CipherKind kind) throws Exception {
        Aead aead = kind.newAead(randomBytes(kind.keyLength(), 13));
        for (long counter = 0; counter < 20; counter++) {
            byte[] plain = randomBytes((int) counter * 7, counter);
            ByteBuffer sealed = ByteBuffer.allocate(plain.length + 16);
            aead.seal(counter, ByteBuffer.wrap(plain), sealed);
            ByteBuffer opened = ByteBuffer.allocateDirect(plain.length);
            aead.open(counter, sealed.flip(), opened);   // opening a counter just sealed is allowed
            aead.open(counter, sealed.flip(), opened.clear());   // and twice
            assertArrayEquals(plain, contents(opened), "counter " + counter);
        }
    }

    private static byte[] bouncyCastleOrThrow(CipherKind kind, byte[] key, long counter, byte[] plain) {
        try {
            return bouncyCastle(kind, true, key, counter, plain);
        } catch (InvalidCipherTextException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void noneCopiesAndNeverFails() throws Exception {
        Aead none = CipherKind.NONE.newAead(new byte[0]);
        byte[] plain = randomBytes(50, 11);
        ByteBuffer out = ByteBuffer.allocate(50);
        none.open(3, ByteBuffer.wrap(plain), out);
        assertArrayEquals(plain, out.array());
        ByteBuffer sealed = ByteBuffer.allocate(50);
        none.seal(3, ByteBuffer.wrap(plain), sealed);
        assertArrayEquals(plain, sealed.array());
    }

    // ---- helpers ----

    private static void assertKnownAnswer(CipherKind kind, byte[] key, long counter, String plainHex,
            String expectedHex) throws Exception {
        byte[] plain = Hex.bytes(plainHex);
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer out = allocate(direct, plain.length + kind.tagLength());
            kind.newAead(key).seal(counter, window(direct, plain, OFFSET), out);
            assertEquals(expectedHex, Hex.hex(contents(out)), kind + " direct=" + direct);
            ByteBuffer opened = allocate(direct, plain.length);
            kind.newAead(key).open(counter, window(direct, Hex.bytes(expectedHex), OFFSET), opened);
            assertEquals(plainHex, Hex.hex(contents(opened)));
        }
    }

    private static void assertRefused(Aead opener, long counter, byte[] wire, boolean direct, String what) {
        ByteBuffer in = window(direct, wire, OFFSET);
        int plainLength = wire.length - opener.tagLength();
        ByteBuffer out = allocate(direct, plainLength + 2 * OFFSET);
        byte sentinel = (byte) 0xA5;
        for (int i = 0; i < out.capacity(); i++) {
            out.put(i, sentinel);
        }
        out.limit(OFFSET + plainLength).position(OFFSET);
        assertThrows(AEADBadTagException.class, () -> opener.open(counter, in, out), what);
        assertEquals(OFFSET, in.position(), what + ": in position restored");
        assertEquals(OFFSET, out.position(), what + ": out position restored");
        assertEquals(OFFSET + plainLength, out.limit(), what + ": out limit untouched");
        // The bytes before OFFSET catch a JDK 25 bug JceAead works around: on a bad GCM tag
        // SunJCE zeroes a direct buffer from its base address, not from its position.
        // SunJCE GCM zeroes the region it decrypted into; ChaCha20-Poly1305 never writes it.
        // Either is fine. What must hold: no byte outside [position, limit) is touched, and no
        // byte inside holds anything but the sentinel or zero (no unverified plaintext).
        ByteBuffer whole = out.duplicate().clear();
        for (int i = 0; i < whole.capacity(); i++) {
            byte b = whole.get(i);
            boolean inside = i >= OFFSET && i < OFFSET + plainLength;
            if (inside) {
                assertTrue(b == sentinel || b == 0, what + ": unverified plaintext left at " + i);
            } else {
                assertEquals(sentinel, b, what + ": byte outside the output region touched at " + i);
            }
        }
    }

    private static byte[] seal(CipherKind kind, byte[] key, long counter, byte[] plain) {
        ByteBuffer out = ByteBuffer.allocate(plain.length + kind.tagLength());
        kind.newAead(key).seal(counter, ByteBuffer.wrap(plain), out);
        return out.array();
    }

    /** An independent implementation of the same construction: BouncyCastle's lightweight engines. */
    static byte[] bouncyCastle(CipherKind kind, boolean encrypt, byte[] key, long counter, byte[] input)
            throws InvalidCipherTextException {
        AEADCipher cipher = kind == CipherKind.CHACHA20_POLY1305
                ? new ChaCha20Poly1305()
                : GCMBlockCipher.newInstance(AESEngine.newInstance());
        byte[] nonce = ByteBuffer.allocate(12).putInt(0).putLong(counter).array();
        cipher.init(encrypt, new AEADParameters(new KeyParameter(key), 128, nonce));
        byte[] out = new byte[cipher.getOutputSize(input.length)];
        int n = cipher.processBytes(input, 0, input.length, out, 0);
        cipher.doFinal(out, n);
        return out;
    }

    /** A buffer whose position is {@code offset} and whose remaining bytes are {@code content}. */
    private static ByteBuffer window(boolean direct, byte[] content, int offset) {
        ByteBuffer buffer = allocate(direct, offset + content.length + 5);
        buffer.position(offset);
        buffer.put(content);
        buffer.flip().position(offset);
        return buffer;
    }

    private static ByteBuffer allocate(boolean direct, int size) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    /** Bytes 0..position of a buffer that was filled from position 0. */
    private static byte[] contents(ByteBuffer filled) {
        byte[] bytes = new byte[filled.position()];
        filled.duplicate().flip().get(bytes);
        return bytes;
    }

    private static byte[] randomBytes(int length, long stream) {
        byte[] bytes = new byte[length];
        new SplittableRandom(SEED + stream).nextBytes(bytes);
        return bytes;
    }
}
