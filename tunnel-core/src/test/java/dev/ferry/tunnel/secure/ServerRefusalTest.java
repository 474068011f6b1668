package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.crypto.SeenSalts;
import dev.ferry.crypto.X25519;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.secure.SecureTestKit.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ferry.tunnel.secure.SecureTestKit.CLIENT_WINDOW;
import static dev.ferry.tunnel.secure.SecureTestKit.HANDSHAKE_TIMEOUT;
import static dev.ferry.tunnel.secure.SecureTestKit.MASTER_SEED;
import static dev.ferry.tunnel.secure.SecureTestKit.NOW;
import static dev.ferry.tunnel.secure.SecureTestKit.SERVER_WINDOW;
import static dev.ferry.tunnel.secure.SecureTestKit.assertSilentUntilDeadline;
import static dev.ferry.tunnel.secure.SecureTestKit.buf;
import static dev.ferry.tunnel.secure.SecureTestKit.drain;
import static dev.ferry.tunnel.secure.SecureTestKit.feedInPieces;
import static dev.ferry.tunnel.secure.SecureTestKit.fixedClock;
import static dev.ferry.tunnel.secure.SecureTestKit.key;
import static dev.ferry.tunnel.secure.SecureTestKit.randomBytes;
import static dev.ferry.tunnel.secure.SecureTestKit.seededRandom;
import static dev.ferry.tunnel.secure.SecureTestKit.seenSalts;
import static dev.ferry.tunnel.secure.SecureTestKit.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything the backend must refuse, and how: not one byte back, the connection held open until the handshake
 * deadline and closed exactly then, nothing thrown out of the pipeline, no buffer leaked (the leak-detector extension
 * checks after each test). A scanner then learns the same from every refusal: nothing.
 */
class ServerRefusalTest {
    private static final PresharedKey KEY = key(MASTER_SEED);
    private static final PresharedKey OTHER_KEY = key(MASTER_SEED + 1);

    private static TunnelSettings server(InstantSource clock, boolean allowNone) {
        return settings(KEY, CipherKind.AES_256_GCM, allowNone, SERVER_WINDOW, clock);
    }

    private static TunnelSettings server() {
        return server(fixedClock(NOW), false);
    }

    private static TunnelSettings client(PresharedKey key, CipherKind cipher, Instant clientNow) {
        return settings(key, cipher, false, CLIENT_WINDOW, fixedClock(clientNow));
    }

    /** The exact bytes a real client with these settings sends first. */
    private static byte[] clientHello(TunnelSettings settings, long seed) {
        try (Peer c = Peer.client(settings, seededRandom(seed))) {
            return drain(c);
        }
    }

    private static Peer newServer(TunnelSettings settings, SeenSalts salts, long seed) {
        return Peer.server(settings, salts, seededRandom(~seed));
    }

    private static Peer newServer(long seed) {
        return newServer(server(), seenSalts(fixedClock(NOW)), seed);
    }

    @Test
    void aHelloSealedWithAnotherKeyGetsSilence() {
        long seed = MASTER_SEED;
        byte[] hello = clientHello(client(OTHER_KEY, CipherKind.AES_256_GCM, NOW), seed);
        try (Peer s = newServer(seed)) {
            s.receive(buf(hello));
            s.receive(buf(randomBytes(seed, 4000)));   // whatever follows is swallowed too
            assertSilentUntilDeadline(s, "wrong key, seed " + seed);
        }
    }

    @Test
    void theClientOfAWrongKeyGivesUpAtItsOwnDeadline() {
        long seed = MASTER_SEED ^ 0xDEAD;
        try (Peer c = Peer.client(client(OTHER_KEY, CipherKind.AES_256_GCM, NOW), seededRandom(seed));
             Peer s = newServer(seed)) {
            SecureTestKit.pump(c, s);
            assertSilentUntilDeadline(s, "wrong key, seed " + seed);
            assertTrue(c.channel.isOpen());
            c.advance(HANDSHAKE_TIMEOUT);
            assertFalse(c.channel.isOpen(), "client still waiting after its deadline; seed " + seed);
            assertFalse(c.isEstablished());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 31, 32, 33, 83, 99, 100, 101, 116, 355, 356, 1000, 65_537, 300_000})
    void garbageGetsSilence(int length) {
        SplittableRandom seeds = new SplittableRandom(MASTER_SEED + length);
        for (int round = 0; round < 5; round++) {
            long seed = seeds.nextLong();
            String why = length + " garbage bytes, seed " + seed;
            try (Peer s = newServer(seed)) {
                feedInPieces(s, randomBytes(seed, length), seed, round == 0 ? length : 1 + length / 3);
                assertSilentUntilDeadline(s, why);
            }
        }
    }

    /** The deadline counts from the connection, not from the last byte: a slow drip does not keep it open. */
    @Test
    void aSlowDripIsClosedAtTheDeadline() {
        long seed = MASTER_SEED ^ 0xD219;
        byte[] drip = randomBytes(seed, 99);
        try (Peer s = newServer(seed)) {
            Duration step = HANDSHAKE_TIMEOUT.dividedBy(drip.length + 1);
            for (byte b : drip) {
                s.receive(buf(new byte[] {b}));
                s.advance(step);
                assertTrue(s.channel.isOpen(), "closed early; seed " + seed);
            }
            s.advance(HANDSHAKE_TIMEOUT.minus(step.multipliedBy(drip.length)));
            assertFalse(s.channel.isOpen(), "a byte every " + step.toMillis() + " ms kept it open; seed " + seed);
            assertEquals(0, drain(s).length, "seed " + seed);
        }
    }

    /** A valid hello that completes just before the deadline is answered; one that completes at it is not. */
    @Test
    void aHelloCompletingAtTheDeadlineIsTooLate() {
        long seed = MASTER_SEED ^ 0x1A7E;
        byte[] hello = clientHello(client(KEY, CipherKind.AES_256_GCM, NOW), seed);
        byte[] head = Arrays.copyOf(hello, 50);
        byte[] tail = Arrays.copyOfRange(hello, 50, hello.length);
        try (Peer s = newServer(seed)) {
            s.receive(buf(head));
            s.advance(HANDSHAKE_TIMEOUT.minusMillis(1));
            s.receive(buf(tail));
            assertTrue(s.isEstablished(), "seed " + seed);
            assertTrue(drain(s).length > 0, "seed " + seed);
            s.advance(Duration.ofSeconds(60));
            assertTrue(s.channel.isOpen(), "an established tunnel must outlive the handshake deadline; seed " + seed);
        }
        try (Peer s = newServer(seed + 1)) {
            s.receive(buf(head));
            s.advance(HANDSHAKE_TIMEOUT);
            s.receive(buf(tail));
            assertFalse(s.isEstablished(), "seed " + seed);
            assertEquals(0, drain(s).length, "seed " + seed);
            assertFalse(s.channel.isOpen(), "seed " + seed);
        }
    }

    /** Bytes that look like the start of a hello (a real salt, a real sealed body) with the rest never coming. */
    @Test
    void aTruncatedHelloGetsSilence() {
        long seed = MASTER_SEED ^ 0x7C;
        byte[] hello = clientHello(client(KEY, CipherKind.AES_256_GCM, NOW), seed);
        while (hello.length <= HandshakeFormat.SEALED_HELLO_LENGTH + 2) {   // want cuts inside the padding too
            hello = clientHello(client(KEY, CipherKind.AES_256_GCM, NOW), ++seed);
        }
        int[] cuts = {1, 16, 31, 32, 33, 60, 83, 84, 99, HandshakeFormat.SEALED_HELLO_LENGTH,
                HandshakeFormat.SEALED_HELLO_LENGTH + 1, hello.length - 1};
        for (int k : cuts) {
            String why = "first " + k + " of " + hello.length + " hello bytes, seed " + seed;
            try (Peer s = newServer(seed)) {
                s.receive(buf(Arrays.copyOf(hello, k)));
                assertSilentUntilDeadline(s, why);
            }
        }
    }

    @Test
    void aReplayedHelloIsAnsweredOnce() {
        long seed = MASTER_SEED ^ 0x2E91;
        byte[] hello = clientHello(client(KEY, CipherKind.AES_256_GCM, NOW), seed);
        SeenSalts salts = seenSalts(fixedClock(NOW));
        try (Peer first = newServer(server(), salts, seed)) {
            first.receive(buf(hello));
            assertTrue(first.isEstablished(), "first offer refused; seed " + seed);
            assertTrue(drain(first).length >= HandshakeFormat.SEALED_HELLO_LENGTH, "first offer unanswered");
        }
        for (int replay = 1; replay <= 3; replay++) {
            try (Peer again = newServer(server(), salts, seed + replay)) {
                again.receive(buf(hello));
                assertSilentUntilDeadline(again, "replay " + replay + ", seed " + seed);
            }
        }
    }

    /**
     * Once the salt table forgets a hello, the timestamp must refuse it: the table remembers for 61 s and the clock
     * check allows 30 s, so there is no moment at which a replay gets through.
     */
    @Test
    void aReplayIsRefusedAtEveryLaterMoment() {
        long seed = MASTER_SEED ^ 0x61;
        byte[] hello = clientHello(client(KEY, CipherKind.AES_256_GCM, NOW), seed);
        AtomicReference<Instant> now = new AtomicReference<>(NOW);
        InstantSource clock = now::get;
        SeenSalts salts = seenSalts(clock);
        try (Peer first = newServer(server(clock, false), salts, seed)) {
            first.receive(buf(hello));
            assertTrue(first.isEstablished(), "seed " + seed);
        }
        for (long later : new long[] {0, 1, 29, 30, 31, 60, 61, 62, 120, 3600}) {
            now.set(NOW.plusSeconds(later));
            try (Peer again = newServer(server(clock, false), salts, seed + later)) {
                again.receive(buf(hello));
                assertSilentUntilDeadline(again, "replay " + later + " s later, seed " + seed);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-31_000, 31_000, -30_001, 30_001, -3_600_000, 86_400_000})
    void aClockOffByMoreThanThirtySecondsIsRefused(long skewMillis) {
        long seed = MASTER_SEED + skewMillis;
        byte[] hello = clientHello(client(KEY, CipherKind.AES_256_GCM, NOW.plusMillis(skewMillis)), seed);
        try (Peer s = newServer(seed)) {
            s.receive(buf(hello));
            assertSilentUntilDeadline(s, "client clock off by " + skewMillis + " ms, seed " + seed);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-29_000, 29_000, -30_000, 30_000, 0})
    void aClockWithinThirtySecondsIsAccepted(long skewMillis) {
        long seed = MASTER_SEED + skewMillis;
        byte[] hello = clientHello(client(KEY, CipherKind.AES_256_GCM, NOW.plusMillis(skewMillis)), seed);
        try (Peer s = newServer(seed)) {
            s.receive(buf(hello));
            assertTrue(s.isEstablished(), "client clock off by " + skewMillis + " ms refused; seed " + seed);
            assertTrue(drain(s).length > 0, "no server hello; seed " + seed);
        }
    }

    /**
     * The skew is {@code timestamp - now}; when that difference overflows to {@code Long.MIN_VALUE},
     * {@code Math.abs} returns it unchanged (negative), and a timestamp some 292 million years off passes as on time.
     */
    @Test
    void aTimestampWhoseSkewOverflowsIsRefused() {
        long seed = MASTER_SEED ^ 0xAB5;
        SecureRandom r = seededRandom(seed);
        long absurd = NOW.toEpochMilli() + Long.MIN_VALUE;   // timestamp - now == Long.MIN_VALUE
        for (long ts : new long[] {absurd, Long.MIN_VALUE, Long.MAX_VALUE, absurd + 1}) {
            byte[] body = HelloForge.clientBody(CipherKind.AES_256_GCM, ts, CLIENT_WINDOW, 7, r);
            try (Peer s = newServer(seed)) {
                s.receive(buf(HelloForge.sealClientHello(KEY, body, r)));
                assertSilentUntilDeadline(s, "timestamp " + ts + " (now " + NOW.toEpochMilli() + "), seed " + seed);
            }
        }
    }

    @Test
    void cipherNoneIsRefusedUnlessAllowed() {
        long seed = MASTER_SEED ^ 0x0;
        byte[] hello = clientHello(client(KEY, CipherKind.NONE, NOW), seed);
        try (Peer strict = newServer(server(fixedClock(NOW), false), seenSalts(fixedClock(NOW)), seed)) {
            strict.receive(buf(hello));
            assertSilentUntilDeadline(strict, "cipher none on a strict backend, seed " + seed);
        }
        // The refusal must not have burnt the salt: the same hello is fine where none is allowed.
        try (Peer lax = newServer(server(fixedClock(NOW), true), seenSalts(fixedClock(NOW)), seed)) {
            lax.receive(buf(hello));
            assertTrue(lax.isEstablished(), "seed " + seed);
            assertEquals(CipherKind.NONE, lax.result().cipher());
        }
    }

    @Test
    void anUnknownVersionIsRefused() {
        long seed = MASTER_SEED ^ 0x2;
        SecureRandom r = seededRandom(seed);
        for (int version : new int[] {0, 2, 255}) {
            byte[] body = HelloForge.body(version, CipherKind.AES_256_GCM.wireCode(), NOW.toEpochMilli(),
                    CLIENT_WINDOW, X25519.generate(r).publicKey(), 3);
            try (Peer s = newServer(seed + version)) {
                s.receive(buf(HelloForge.sealClientHello(KEY, body, r)));
                assertSilentUntilDeadline(s, "version " + version + ", seed " + seed);
            }
        }
    }

    @Test
    void anUnknownCipherCodeIsRefused() {
        long seed = MASTER_SEED ^ 0xC1;
        SecureRandom r = seededRandom(seed);
        for (int code : new int[] {4, 9, 255}) {
            byte[] body = HelloForge.body(HandshakeFormat.VERSION, code, NOW.toEpochMilli(), CLIENT_WINDOW,
                    X25519.generate(r).publicKey(), 0);
            try (Peer s = newServer(seed + code)) {
                s.receive(buf(HelloForge.sealClientHello(KEY, body, r)));
                assertSilentUntilDeadline(s, "cipher code " + code + ", seed " + seed);
            }
        }
    }

    /** A low-order ephemeral key would give a shared secret everybody knows; the server must not answer it. */
    @Test
    void aLowOrderEphemeralKeyIsRefused() {
        long seed = MASTER_SEED ^ 0x10;
        SecureRandom r = seededRandom(seed);
        byte[] zero = new byte[32];
        byte[] one = new byte[32];
        one[0] = 1;
        for (byte[] point : new byte[][] {zero, one}) {
            byte[] body = HelloForge.body(HandshakeFormat.VERSION, CipherKind.AES_256_GCM.wireCode(),
                    NOW.toEpochMilli(), CLIENT_WINDOW, point, 12);
            try (Peer s = newServer(seed)) {
                s.receive(buf(HelloForge.sealClientHello(KEY, body, r)));
                assertSilentUntilDeadline(s, "low-order key " + point[0] + ", seed " + seed);
            }
        }
    }

    /** A forged hello that passes every check is answered: the forge is sound, so the refusals above mean something. */
    @Test
    void aForgedButValidHelloIsAnswered() {
        long seed = MASTER_SEED ^ 0xF0;
        SecureRandom r = seededRandom(seed);
        byte[] body = HelloForge.clientBody(CipherKind.AES_256_GCM, NOW.toEpochMilli(), CLIENT_WINDOW, 40, r);
        try (Peer s = newServer(seed)) {
            s.receive(buf(HelloForge.sealClientHello(KEY, body, r)));
            assertTrue(s.isEstablished(), "seed " + seed);
            assertTrue(drain(s).length > 0, "no server hello; seed " + seed);
        }
    }
}
