package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.crypto.X25519;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.secure.SecureTestKit.Peer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ferry.tunnel.secure.SecureTestKit.CLIENT_WINDOW;
import static dev.ferry.tunnel.secure.SecureTestKit.HANDSHAKE_TIMEOUT;
import static dev.ferry.tunnel.secure.SecureTestKit.MASTER_SEED;
import static dev.ferry.tunnel.secure.SecureTestKit.NOW;
import static dev.ferry.tunnel.secure.SecureTestKit.SERVER_WINDOW;
import static dev.ferry.tunnel.secure.SecureTestKit.buf;
import static dev.ferry.tunnel.secure.SecureTestKit.drain;
import static dev.ferry.tunnel.secure.SecureTestKit.fixedClock;
import static dev.ferry.tunnel.secure.SecureTestKit.key;
import static dev.ferry.tunnel.secure.SecureTestKit.pump;
import static dev.ferry.tunnel.secure.SecureTestKit.randomBytes;
import static dev.ferry.tunnel.secure.SecureTestKit.seededRandom;
import static dev.ferry.tunnel.secure.SecureTestKit.seenSalts;
import static dev.ferry.tunnel.secure.SecureTestKit.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frontend's side: it must take only an answer sealed with its key and bound to its own hello, and otherwise
 * close without bringing the tunnel up (it owes an impostor no silence, so it closes at once).
 */
class ClientVerificationTest {
    private static final PresharedKey KEY = key(MASTER_SEED);
    private static final PresharedKey OTHER_KEY = key(MASTER_SEED + 1);

    private static TunnelSettings client(CipherKind cipher) {
        return settings(KEY, cipher, false, CLIENT_WINDOW, fixedClock(NOW));
    }

    /** Delivers {@code answer} to a fresh client and checks that it closed without establishing. */
    private static void assertRejected(Peer c, byte[] answer, String why) {
        c.receive(buf(answer));
        c.channel.runPendingTasks();
        assertFalse(c.isEstablished(), why + ": established");
        assertFalse(c.channel.isOpen(), why + ": still open");
        assertEquals(0, drain(c).length, why + ": the client wrote after its hello");
    }

    private static byte[] serverBody(CipherKind cipher, int version, byte[] ephemeral, int padding) {
        return HelloForge.body(version, cipher.wireCode(), NOW.toEpochMilli(), SERVER_WINDOW, ephemeral, padding);
    }

    @Test
    void anAnswerSealedWithAnotherKeyIsRejected() {
        long seed = MASTER_SEED ^ 0xA1;
        SecureRandom r = seededRandom(~seed);
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
            byte[] salt = HelloForge.salt(drain(c));
            byte[] body = serverBody(CipherKind.AES_256_GCM, HandshakeFormat.VERSION, X25519.generate(r).publicKey(), 9);
            assertRejected(c, HelloForge.sealServerHello(OTHER_KEY, body, salt, r), "other key, seed " + seed);
        }
    }

    /** A real backend's answer to another hello, replayed to this client: the right key, the wrong salt. */
    @Test
    void anAnswerToAnotherHelloIsRejected() {
        long seed = MASTER_SEED ^ 0xA2;
        TunnelSettings serverSettings = settings(KEY, CipherKind.AES_256_GCM, false, SERVER_WINDOW, fixedClock(NOW));
        byte[] answerToOther;
        try (Peer other = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed + 1));
             Peer s = Peer.server(serverSettings, seenSalts(fixedClock(NOW)), seededRandom(~seed))) {
            pump(other, s);
            answerToOther = drain(s);
        }
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
            drain(c);
            assertRejected(c, answerToOther, "answer to another hello, seed " + seed);
        }
    }

    @Test
    void anAnswerNamingAnotherCipherIsRejected() {
        long seed = MASTER_SEED ^ 0xA3;
        SecureRandom r = seededRandom(~seed);
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
            byte[] salt = HelloForge.salt(drain(c));
            byte[] body = serverBody(CipherKind.NONE, HandshakeFormat.VERSION, X25519.generate(r).publicKey(), 0);
            assertRejected(c, HelloForge.sealServerHello(KEY, body, salt, r), "cipher none offered, seed " + seed);
        }
    }

    @Test
    void anAnswerWithAnotherVersionIsRejected() {
        long seed = MASTER_SEED ^ 0xA4;
        SecureRandom r = seededRandom(~seed);
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
            byte[] salt = HelloForge.salt(drain(c));
            byte[] body = serverBody(CipherKind.AES_256_GCM, 2, X25519.generate(r).publicKey(), 0);
            assertRejected(c, HelloForge.sealServerHello(KEY, body, salt, r), "version 2, seed " + seed);
        }
    }

    @Test
    void anAnswerWithALowOrderKeyIsRejected() {
        long seed = MASTER_SEED ^ 0xA5;
        SecureRandom r = seededRandom(~seed);
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
            byte[] salt = HelloForge.salt(drain(c));
            byte[] body = serverBody(CipherKind.AES_256_GCM, HandshakeFormat.VERSION, new byte[32], 5);
            assertRejected(c, HelloForge.sealServerHello(KEY, body, salt, r), "low-order key, seed " + seed);
        }
    }

    @Test
    void garbageInsteadOfAnAnswerIsRejected() {
        for (int length : new int[] {HandshakeFormat.SEALED_HELLO_LENGTH, 150, 355, 5000}) {
            long seed = MASTER_SEED + length;
            try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
                drain(c);
                assertRejected(c, randomBytes(seed, length), length + " garbage bytes, seed " + seed);
            }
        }
    }

    /**
     * Once the client has rejected an answer it must stop: the rest of the input is not tried again as more server
     * hellos (each try costs a key derivation, logs a warning and closes once more), so a peer that sends a few KiB
     * of junk cannot make the frontend log a line per 100 bytes.
     */
    @Test
    void aRejectedAnswerEndsTheHandshakeOnce() {
        long seed = MASTER_SEED ^ 0xA8;
        AtomicInteger closes = new AtomicInteger();
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
            c.channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
                    closes.incrementAndGet();
                    super.close(ctx, promise);
                }
            });
            drain(c);
            assertRejected(c, randomBytes(seed, 5000), "5000 garbage bytes, seed " + seed);
            assertEquals(1, closes.get(), "times the client rejected one answer; seed " + seed);
        }
    }

    @Test
    void aShortAnswerIsWaitedForUntilTheDeadline() {
        long seed = MASTER_SEED ^ 0xA6;
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
            drain(c);
            c.receive(buf(randomBytes(seed, HandshakeFormat.SEALED_HELLO_LENGTH - 1)));
            c.advance(HANDSHAKE_TIMEOUT.minusMillis(1));
            assertTrue(c.channel.isOpen(), "seed " + seed);
            c.advance(Duration.ofMillis(1));
            assertFalse(c.channel.isOpen(), "seed " + seed);
            assertFalse(c.isEstablished());
        }
    }

    /** Authenticated answer, padding not all there yet: the client holds the partial hello, then must free it. */
    @Test
    void anAnswerCutInItsPaddingIsReleasedAtTheDeadline() {
        long seed = MASTER_SEED ^ 0xA7;
        SecureRandom r = seededRandom(~seed);
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed))) {
            byte[] salt = HelloForge.salt(drain(c));
            byte[] body = serverBody(CipherKind.AES_256_GCM, HandshakeFormat.VERSION, X25519.generate(r).publicKey(),
                    200);
            byte[] answer = HelloForge.sealServerHello(KEY, body, salt, r);
            c.receive(buf(Arrays.copyOf(answer, answer.length - 1)));
            assertFalse(c.isEstablished(), "seed " + seed);
            c.advance(HANDSHAKE_TIMEOUT);
            assertFalse(c.channel.isOpen(), "seed " + seed);
            assertFalse(c.isEstablished());
        }
    }
}
