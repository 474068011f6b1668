package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.secure.SecureTestKit.Peer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.ferry.tunnel.secure.SecureTestKit.CLIENT_WINDOW;
import static dev.ferry.tunnel.secure.SecureTestKit.MASTER_SEED;
import static dev.ferry.tunnel.secure.SecureTestKit.NOW;
import static dev.ferry.tunnel.secure.SecureTestKit.SERVER_WINDOW;
import static dev.ferry.tunnel.secure.SecureTestKit.assertSameBytes;
import static dev.ferry.tunnel.secure.SecureTestKit.buf;
import static dev.ferry.tunnel.secure.SecureTestKit.drain;
import static dev.ferry.tunnel.secure.SecureTestKit.establish;
import static dev.ferry.tunnel.secure.SecureTestKit.feedInPieces;
import static dev.ferry.tunnel.secure.SecureTestKit.fixedClock;
import static dev.ferry.tunnel.secure.SecureTestKit.key;
import static dev.ferry.tunnel.secure.SecureTestKit.pump;
import static dev.ferry.tunnel.secure.SecureTestKit.randomBytes;
import static dev.ferry.tunnel.secure.SecureTestKit.readPlain;
import static dev.ferry.tunnel.secure.SecureTestKit.seededRandom;
import static dev.ferry.tunnel.secure.SecureTestKit.seenSalts;
import static dev.ferry.tunnel.secure.SecureTestKit.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The good path of the secure channel: a handshake between two {@code EmbeddedChannel}s agrees on cipher and
 * windows, and afterwards every byte written on one end comes out of the other, whatever the write sizes and however
 * the transport cuts the sealed stream. Seeds are printed in every failure message.
 */
class HandshakeRoundTripTest {
    private static final PresharedKey KEY = key(MASTER_SEED);

    private static TunnelSettings client(CipherKind cipher) {
        return settings(KEY, cipher, false, CLIENT_WINDOW, fixedClock(NOW));
    }

    /** The backend's own cipher setting is irrelevant (it takes the client's); none only when allowed. */
    private static TunnelSettings server(boolean allowNone) {
        return settings(KEY, CipherKind.AES_128_GCM, allowNone, SERVER_WINDOW, fixedClock(NOW));
    }

    @ParameterizedTest
    @EnumSource(CipherKind.class)
    void bothEndsAgreeOnCipherAndWindows(CipherKind cipher) {
        long seed = MASTER_SEED + cipher.ordinal();
        Peer[] p = establish(client(cipher), server(cipher == CipherKind.NONE), seed);
        try (Peer c = p[0]; Peer s = p[1]) {
            String why = cipher + ", seed " + seed;
            assertEquals(1, c.establishedCalls(), why);
            assertEquals(1, s.establishedCalls(), why);
            assertEquals(new HandshakeResult(HandshakeFormat.VERSION, 0, cipher, CLIENT_WINDOW, SERVER_WINDOW),
                    c.result(), why);
            assertEquals(new HandshakeResult(HandshakeFormat.VERSION, 0, cipher, SERVER_WINDOW, CLIENT_WINDOW),
                    s.result(), why);
            for (Peer each : p) {
                assertNull(each.channel.pipeline().get(HandshakeHandler.class), "handshake handler left; " + why);
                assertNotNull(each.channel.pipeline().get("record-decoder"), why);
                assertNotNull(each.channel.pipeline().get("record-encoder"), why);
                assertTrue(each.channel.isOpen(), why);
            }
            roundTrip(c, s, randomBytes(seed, 1000), seed, why + ", client to server");
            roundTrip(s, c, randomBytes(~seed, 1000), ~seed, why + ", server to client");
        }
    }

    @Test
    void theClientsCipherWinsWhateverTheServerIsSetTo() {
        Peer[] p = establish(client(CipherKind.CHACHA20_POLY1305), server(false), MASTER_SEED);
        try (Peer c = p[0]; Peer s = p[1]) {
            assertEquals(CipherKind.CHACHA20_POLY1305, c.result().cipher());
            assertEquals(CipherKind.CHACHA20_POLY1305, s.result().cipher());
            roundTrip(c, s, "hello".getBytes(StandardCharsets.US_ASCII), MASTER_SEED, "chacha, seed " + MASTER_SEED);
        }
    }

    @Test
    void hellosCutIntoSingleBytesStillComplete() {
        long seed = MASTER_SEED ^ 0x1B17E;
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed));
             Peer s = Peer.server(server(false), seenSalts(fixedClock(NOW)), seededRandom(~seed))) {
            byte[] clientHello = drain(c);
            feedInPieces(s, clientHello, seed, 1);
            assertTrue(s.isEstablished(), "server; seed " + seed + ", hello of " + clientHello.length + " bytes");
            byte[] serverHello = drain(s);
            for (int i = 0; i < serverHello.length - 1; i++) {
                c.receive(buf(new byte[] {serverHello[i]}));
                assertFalse(c.isEstablished(), "client established after " + (i + 1) + " bytes; seed " + seed);
            }
            c.receive(buf(new byte[] {serverHello[serverHello.length - 1]}));
            assertTrue(c.isEstablished(), "client; seed " + seed);
            roundTrip(c, s, randomBytes(seed, 300), seed, "after a one-byte-at-a-time handshake");
        }
    }

    /** A server that writes at once: its hello and first record reach the client in one read. */
    @Test
    void recordsRightBehindTheServerHelloAreNotLost() {
        long seed = MASTER_SEED ^ 0xC0A1;
        byte[] welcome = "welcome aboard".getBytes(StandardCharsets.US_ASCII);
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed));
             Peer s = Peer.server(server(false), seenSalts(fixedClock(NOW)), seededRandom(~seed),
                     (ch, r) -> ch.writeAndFlush(buf(welcome)))) {
            pump(c, s);
            assertTrue(s.isEstablished(), "seed " + seed);
            byte[] helloAndRecord = drain(s);
            c.receive(buf(helloAndRecord));
            assertTrue(c.isEstablished(), "seed " + seed);
            assertSameBytes(welcome, readPlain(c), "first record after the server hello; seed " + seed);
        }
    }

    @ParameterizedTest
    @EnumSource(CipherKind.class)
    void largeWritesAreSplitIntoRecordsOfAtMostSixteenKiB(CipherKind cipher) {
        long seed = MASTER_SEED * 31 + cipher.ordinal();
        Peer[] p = establish(client(cipher), server(true), seed);
        try (Peer c = p[0]; Peer s = p[1]) {
            int tag = cipher.tagLength();
            for (int size : new int[] {RecordFormat.MAX_PAYLOAD, RecordFormat.MAX_PAYLOAD + 1, 100_000, 300_001}) {
                String why = cipher + ", " + size + " bytes, seed " + seed;
                byte[] plain = randomBytes(seed + size, size);
                c.channel.writeAndFlush(buf(plain));
                byte[] sealed = drain(c);
                int records = (size + RecordFormat.MAX_PAYLOAD - 1) / RecordFormat.MAX_PAYLOAD;
                assertEquals(size + records * (RecordFormat.LENGTH_FIELD + 2 * tag), sealed.length, why);
                feedInPieces(s, sealed, seed + size, 5000);
                List<byte[]> chunks = new ArrayList<>();
                for (ByteBuf b; (b = s.channel.readInbound()) != null; ) {
                    byte[] chunk = new byte[b.readableBytes()];
                    b.readBytes(chunk);
                    b.release();
                    chunks.add(chunk);
                }
                assertEquals(records, chunks.size(), why);
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (byte[] chunk : chunks) {
                    assertTrue(chunk.length <= RecordFormat.MAX_PAYLOAD, why + ": a record of " + chunk.length);
                    all.writeBytes(chunk);
                }
                assertSameBytes(plain, all.toByteArray(), why);
            }
            roundTrip(s, c, randomBytes(seed, 70_000), seed, cipher + " server to client after large writes");
        }
    }

    @ParameterizedTest
    @EnumSource(CipherKind.class)
    void manySmallWritesBeforeOneFlushArriveInOrderAndAllComplete(CipherKind cipher) {
        long seed = MASTER_SEED * 17 + cipher.ordinal();
        Peer[] p = establish(client(cipher), server(true), seed);
        try (Peer c = p[0]; Peer s = p[1]) {
            SplittableRandom r = new SplittableRandom(seed);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            List<ChannelFuture> writes = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                byte[] piece = randomBytes(r.nextLong(), 1 + r.nextInt(40));
                expected.writeBytes(piece);
                writes.add(s.channel.write(buf(piece)));
            }
            String why = cipher + ", " + expected.size() + " bytes in 2000 writes, seed " + seed;
            assertNull(s.channel.readOutbound(), "sealed before the flush; " + why);
            s.channel.flush();
            for (ChannelFuture f : writes) {
                assertTrue(f.isSuccess(), "a write did not complete with the flush; " + why);
            }
            byte[] sealed = drain(s);
            feedInPieces(c, sealed, seed, 700);
            assertSameBytes(expected.toByteArray(), readPlain(c), why);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherKind.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aRealCipherHidesThePlaintextAndNoneDoesNot(CipherKind cipher) {
        byte[] marker = "ferry-marker-ferry-marker-ferry-marker".getBytes(StandardCharsets.US_ASCII);
        Peer[] sealedPair = establish(client(cipher), server(false), MASTER_SEED);
        Peer[] plainPair = establish(client(CipherKind.NONE), server(true), MASTER_SEED);
        try (Peer c = sealedPair[0]; Peer s = sealedPair[1]; Peer pc = plainPair[0]; Peer ps = plainPair[1]) {
            c.channel.writeAndFlush(buf(marker));
            assertFalse(contains(drain(c), marker), cipher + " sent the plaintext");
            pc.channel.writeAndFlush(buf(marker));
            assertTrue(contains(drain(pc), marker), "none is expected to copy bytes through");
        }
    }

    /**
     * A write of an empty buffer must still complete its promise at the flush: {@code writeAndFlush(EMPTY_BUFFER)
     * .addListener(CLOSE)} is the usual way to close after everything written so far went out.
     */
    @Test
    void anEmptyWriteCompletesAtItsFlush() {
        Peer[] p = establish(client(CipherKind.AES_256_GCM), server(false), MASTER_SEED);
        try (Peer c = p[0]; Peer s = p[1]) {
            ChannelFuture empty = c.channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
            c.channel.runPendingTasks();
            drain(c);
            assertTrue(empty.isDone(), "writeAndFlush(EMPTY_BUFFER) never completes while nothing else is written; "
                    + "seed " + MASTER_SEED);
            assertTrue(empty.isSuccess(), String.valueOf(empty.cause()));
        }
    }

    private static void roundTrip(Peer from, Peer to, byte[] plain, long seed, String why) {
        ChannelFuture f = from.channel.writeAndFlush(buf(plain));
        assertTrue(f.isSuccess(), why + ": write failed: " + f.cause());
        byte[] sealed = drain(from);
        feedInPieces(to, sealed, seed, 64);
        assertSameBytes(plain, readPlain(to), why);
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
