package dev.ferry.tunnel.secure;

import dev.ferry.crypto.Aead;
import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.tunnel.TunnelPipeline;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.control.TunnelHealth;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.mux.SessionListener;
import dev.ferry.tunnel.secure.SecureTestKit.Peer;
import dev.ferry.tunnel.wire.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ferry.tunnel.secure.SecureTestKit.CLIENT_WINDOW;
import static dev.ferry.tunnel.secure.SecureTestKit.MASTER_SEED;
import static dev.ferry.tunnel.secure.SecureTestKit.NOW;
import static dev.ferry.tunnel.secure.SecureTestKit.SERVER_WINDOW;
import static dev.ferry.tunnel.secure.SecureTestKit.buf;
import static dev.ferry.tunnel.secure.SecureTestKit.drain;
import static dev.ferry.tunnel.secure.SecureTestKit.establish;
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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After the handshake any change to the sealed stream (a flipped bit, a record replayed, dropped or cut short) must
 * stop the tunnel: the record decoder raises a {@link ProtocolException} that travels to the end of the pipeline (the
 * mux closes the channel on it), hands on no plaintext from that record or any later one, and leaks nothing.
 */
class RecordTamperTest {
    private static final PresharedKey KEY = key(MASTER_SEED);
    private static final int PAYLOAD = 300;

    private static TunnelSettings client(CipherKind cipher) {
        return settings(KEY, cipher, false, CLIENT_WINDOW, fixedClock(NOW));
    }

    private static TunnelSettings server() {
        return settings(KEY, CipherKind.AES_256_GCM, false, SERVER_WINDOW, fixedClock(NOW));
    }

    /** One record sealed by {@code from}: {@code sealed length (2 + tag) | sealed payload (PAYLOAD + tag)}. */
    private static byte[] record(Peer from, long seed) {
        from.channel.writeAndFlush(buf(randomBytes(seed, PAYLOAD)));
        return drain(from);
    }

    private static void assertFailsWithProtocolError(Peer to, byte[] bytes, String why) {
        DecoderException e = assertThrows(DecoderException.class, () -> to.receive(buf(bytes)), why);
        assertInstanceOf(ProtocolException.class, e.getCause(), why);
        assertEquals(0, readPlain(to).length, why + ": plaintext handed on from a bad record");
    }

    @ParameterizedTest
    @EnumSource(value = CipherKind.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aFlippedBitAnywhereInARecordStopsTheTunnel(CipherKind cipher) {
        int tag = cipher.tagLength();
        int recordLength = RecordFormat.sealedSize(PAYLOAD, tag);
        int[] positions = {0, 1, RecordFormat.LENGTH_FIELD, RecordFormat.LENGTH_FIELD + tag - 1,
                RecordFormat.LENGTH_FIELD + tag, RecordFormat.LENGTH_FIELD + tag + PAYLOAD / 2,
                RecordFormat.LENGTH_FIELD + tag + PAYLOAD, recordLength - 1};
        for (int at : positions) {
            for (int bit : new int[] {0, 7}) {
                long seed = MASTER_SEED * 7 + at * 8L + bit;
                String why = cipher + ", bit " + bit + " of byte " + at + ", seed " + seed;
                Peer[] p = establish(client(cipher), server(), seed);
                try (Peer c = p[0]; Peer s = p[1]) {
                    byte[] good = record(c, seed);
                    assertEquals(recordLength, good.length, why);
                    byte[] bad = good.clone();
                    bad[at] ^= (byte) (1 << bit);
                    assertFailsWithProtocolError(s, bad, why);
                    // Whatever follows, even a record that would be valid, is never opened.
                    s.receive(buf(record(c, seed + 1)));
                    s.channel.checkException();
                    assertEquals(0, readPlain(s).length, why + ": plaintext after a failed record");
                }
            }
        }
    }

    @Test
    void aReplayedRecordStopsTheTunnel() {
        long seed = MASTER_SEED ^ 0x4E;
        Peer[] p = establish(client(CipherKind.AES_256_GCM), server(), seed);
        try (Peer c = p[0]; Peer s = p[1]) {
            byte[] first = record(c, seed);
            s.receive(buf(first));
            assertEquals(PAYLOAD, readPlain(s).length, "seed " + seed);
            assertFailsWithProtocolError(s, first, "replayed record, seed " + seed);
        }
    }

    @Test
    void aDroppedRecordStopsTheTunnel() {
        long seed = MASTER_SEED ^ 0xD0;
        Peer[] p = establish(client(CipherKind.CHACHA20_POLY1305), server(), seed);
        try (Peer c = p[0]; Peer s = p[1]) {
            record(c, seed);   // lost on the way
            assertFailsWithProtocolError(s, record(c, seed + 1), "dropped record, seed " + seed);
        }
    }

    @Test
    void swappedRecordsStopTheTunnel() {
        long seed = MASTER_SEED ^ 0x5A;
        Peer[] p = establish(client(CipherKind.AES_128_GCM), server(), seed);
        try (Peer c = p[0]; Peer s = p[1]) {
            byte[] one = record(c, seed);
            byte[] two = record(c, seed + 1);
            assertFailsWithProtocolError(s, two, "second record first, seed " + seed);
            s.receive(buf(one));
            assertEquals(0, readPlain(s).length, "seed " + seed);
        }
    }

    /** Bytes sealed for the other direction: the right session, the wrong key. */
    @Test
    void aRecordReflectedBackToItsSenderStopsTheTunnel() {
        long seed = MASTER_SEED ^ 0x2EF1;
        Peer[] p = establish(client(CipherKind.AES_256_GCM), server(), seed);
        try (Peer c = p[0]; Peer s = p[1]) {
            assertFailsWithProtocolError(c, record(c, seed), "reflected record, seed " + seed);
        }
    }

    /**
     * PROTOCOL.md: any change to a hello byte, padding included, changes the transcript and so the keys. The padding
     * is not covered by the hello's tag, so the handshake itself completes; the first record must then fail.
     */
    @Test
    void aChangedPaddingByteInEitherHelloBreaksTheFirstRecord() {
        for (boolean clientHello : new boolean[] {true, false}) {
            boolean tried = false;
            // A hello has no padding for 1 seed in 256; such a seed is skipped for the next one.
            for (long seed = MASTER_SEED ^ (clientHello ? 0xCA : 0x5A); !tried; seed++) {
                String why = (clientHello ? "client" : "server") + " hello padding changed; seed " + seed;
                try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed));
                     Peer s = Peer.server(server(), seenSalts(fixedClock(NOW)), seededRandom(~seed))) {
                    byte[] hello = drain(c);
                    if (clientHello && !flipLastPaddingByte(hello)) {
                        continue;
                    }
                    s.receive(buf(hello));
                    byte[] answer = drain(s);
                    if (!clientHello && !flipLastPaddingByte(answer)) {
                        continue;
                    }
                    c.receive(buf(answer));
                    assertTrue(c.isEstablished() && s.isEstablished(), why);
                    assertFailsWithProtocolError(s, record(c, seed), why + ", client to server");
                    assertFailsWithProtocolError(c, record(s, seed), why + ", server to client");
                    tried = true;
                }
            }
        }
    }

    /** A length field that opens but is out of range (0, or above one full frame) stops the tunnel; a full frame itself is fine. */
    @Test
    void aSealedLengthOutOfRangeStopsTheTunnel() {
        byte[] key = randomBytes(MASTER_SEED, CipherKind.AES_256_GCM.keyLength());
        for (int length : new int[] {0, RecordFormat.MAX_PAYLOAD + 1, 0xFFFF, RecordFormat.MAX_PAYLOAD}) {
            String why = "sealed length " + length + ", seed " + MASTER_SEED;
            EmbeddedChannel ch = new EmbeddedChannel(new RecordDecoder(CipherKind.AES_256_GCM.newAead(key)));
            try {
                Aead sender = CipherKind.AES_256_GCM.newAead(key);
                ByteBuffer sealedLength = ByteBuffer.allocate(RecordFormat.LENGTH_FIELD + 16);
                sender.seal(0, ByteBuffer.allocate(2).putShort(0, (short) length), sealedLength);
                ByteBuffer sealedPayload = ByteBuffer.allocate(length + 16);
                sender.seal(1, ByteBuffer.allocate(length), sealedPayload);
                byte[] wire = new byte[sealedLength.capacity() + sealedPayload.capacity()];
                System.arraycopy(sealedLength.array(), 0, wire, 0, sealedLength.capacity());
                System.arraycopy(sealedPayload.array(), 0, wire, sealedLength.capacity(), sealedPayload.capacity());
                if (length == RecordFormat.MAX_PAYLOAD) {
                    ch.writeInbound(buf(wire));
                    ByteBuf plain = ch.readInbound();
                    assertEquals(length, plain.readableBytes(), why);
                    plain.release();
                } else {
                    DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(buf(wire)), why);
                    assertInstanceOf(ProtocolException.class, e.getCause(), why);
                    assertNull(ch.readInbound(), why);
                }
            } finally {
                ch.finishAndReleaseAll();
            }
        }
    }

    /** Flips a bit of the hello's last padding byte; false (and no change) when it has no padding. */
    private static boolean flipLastPaddingByte(byte[] hello) {
        if (hello.length <= HandshakeFormat.SEALED_HELLO_LENGTH) {
            return false;
        }
        hello[hello.length - 1] ^= 0x01;
        return true;
    }

    /** A record cut short and then the connection ends: nothing handed on, the partial bytes freed. */
    @Test
    void aRecordCutShortHandsOnNothing() {
        int full = RecordFormat.sealedSize(PAYLOAD, 16);
        for (int k : new int[] {1, 17, 18, 19, full - 1}) {
            long seed = MASTER_SEED ^ (0xC07L + k);
            Peer[] p = establish(client(CipherKind.AES_256_GCM), server(), seed);
            try (Peer c = p[0]; Peer s = p[1]) {
                s.receive(buf(Arrays.copyOf(record(c, seed), k)));
                assertEquals(0, readPlain(s).length, "first " + k + " bytes; seed " + seed);
            }
        }
    }

    /** With a handler above the records that closes on errors (as the mux does), the channel ends up closed. */
    @Test
    void theLayerAboveClosesTheChannelOnTheError() {
        long seed = MASTER_SEED ^ 0xC105;
        AtomicReference<Throwable> seen = new AtomicReference<>();
        try (Peer c = Peer.client(client(CipherKind.AES_256_GCM), seededRandom(seed));
             Peer s = Peer.server(server(), seenSalts(fixedClock(NOW)), seededRandom(~seed),
                     (ch, r) -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                         @Override
                         public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                             seen.set(cause);
                             ctx.close();
                         }
                     }))) {
            pump(c, s);
            pump(s, c);
            byte[] bad = record(c, seed);
            bad[bad.length / 2] ^= 1;
            s.receive(buf(bad));
            s.channel.runPendingTasks();
            assertNotNull(seen.get(), "seed " + seed);
            assertInstanceOf(ProtocolException.class, seen.get().getCause(), "seed " + seed);
            assertFalse(s.channel.isOpen(), "channel still open after a bad record; seed " + seed);
        }
    }

    /** The real stack above the records (frames, keepalive, mux) closes the tunnel on a bad record. */
    @Test
    void theRealTunnelPipelineClosesOnABadRecord() {
        long seed = MASTER_SEED ^ 0x7E11;
        TunnelSettings cs = client(CipherKind.AES_256_GCM);
        try (Peer c = Peer.client(cs, seededRandom(seed), (ch, r) -> TunnelPipeline.install(ch, cs,
                     new TunnelHealth(), MuxSession.client(r.localStreamWindow(), r.peerStreamWindow(),
                             SessionListener.NONE)));
             Peer s = Peer.server(server(), seenSalts(fixedClock(NOW)), seededRandom(~seed))) {
            pump(c, s);
            pump(s, c);
            assertTrue(c.isEstablished() && c.channel.isOpen(), "seed " + seed);
            drain(c);   // whatever the keepalive sent already
            byte[] bad = record(s, seed);
            bad[RecordFormat.LENGTH_FIELD + 16 + 3] ^= 0x40;
            c.receive(buf(bad));
            c.channel.runPendingTasks();
            assertFalse(c.channel.isOpen(), "tunnel still open after a bad record; seed " + seed);
        }
    }
}
