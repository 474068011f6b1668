package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.crypto.SeenSalts;
import dev.ferry.tunnel.TunnelSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;

import java.io.ByteArrayOutputStream;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two ends of the secure channel on {@link EmbeddedChannel}s, wired by hand: what one side writes is handed to the
 * other with {@link #pump}. Each channel runs on a {@link MockTicker}, so the handshake deadline passes only when a
 * test advances it. Randomness is a seeded SHA1PRNG, so a failing case replays from its seed (printed by the tests;
 * {@code -Dferry.test.seed=N} changes the master seed).
 *
 * <p>Buffers: {@link #pump} hands every outbound buffer on (or releases it when the receiver is closed);
 * {@link Peer#close()} releases whatever is left in the channel, so tests close every peer they make.
 */
final class SecureTestKit {
    static final long MASTER_SEED = Long.getLong("ferry.test.seed", 0x5EC0_2E5EEDL);
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final int CLIENT_WINDOW = 64 * 1024;
    static final int SERVER_WINDOW = 512 * 1024;
    static final Duration SALT_MEMORY = Duration.ofSeconds(61);

    private SecureTestKit() {
    }

    /** Deterministic once seeded before first use (SHA1PRNG replaces its seed instead of mixing it in). */
    static SecureRandom seededRandom(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static PresharedKey key(long seed) {
        byte[] k = new byte[PresharedKey.LENGTH];
        new SplittableRandom(seed).nextBytes(k);
        return PresharedKey.ofBytes(k);
    }

    static InstantSource fixedClock(Instant at) {
        return InstantSource.fixed(at);
    }

    static TunnelSettings settings(PresharedKey key, CipherKind cipher, boolean allowNone, int window,
                                   InstantSource clock) {
        return new TunnelSettings(key, cipher, allowNone, TunnelSettings.DEFAULT_KEEPALIVE,
                TunnelSettings.DEFAULT_DEAD_AFTER, HANDSHAKE_TIMEOUT, window, clock,
                dev.ferry.transport.kcp.KcpTuning.DEFAULT, TunnelSettings.DEFAULT_UDP_IDLE);
    }

    static SeenSalts seenSalts(InstantSource clock) {
        return new SeenSalts(clock, SALT_MEMORY, 1 << 12);
    }

    static byte[] randomBytes(long seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /**
     * From the default (pooled) allocator on purpose: the leak detector tracks those, not unpooled heap buffers, so
     * a handler that drops an inbound buffer fails the test.
     */
    static ByteBuf buf(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.heapBuffer(Math.max(bytes.length, 1)).writeBytes(bytes);
    }

    /** Hands every buffer {@code from} wrote to {@code to}, one buffer at a time; returns the byte count. */
    static int pump(Peer from, Peer to) {
        int n = 0;
        for (ByteBuf b; (b = from.channel.readOutbound()) != null; ) {
            n += b.readableBytes();
            to.receive(b);
        }
        return n;
    }

    /** Everything {@code from} wrote, concatenated into an array; the buffers are released. */
    static byte[] drain(Peer from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = from.channel.readOutbound()) != null; ) {
            byte[] chunk = new byte[b.readableBytes()];
            b.readBytes(chunk);
            b.release();
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }

    /** Feeds {@code bytes} to {@code to} in pieces of 1..maxPiece bytes chosen by {@code seed}. */
    static void feedInPieces(Peer to, byte[] bytes, long seed, int maxPiece) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, 1 + r.nextInt(maxPiece));
            to.receive(ByteBufAllocator.DEFAULT.heapBuffer(n).writeBytes(bytes, at, n));
            at += n;
        }
    }

    /** Runs a full handshake between fresh peers and returns them established; the caller closes both. */
    static Peer[] establish(TunnelSettings client, TunnelSettings server, long seed) {
        Peer c = Peer.client(client, seededRandom(seed));
        Peer s = Peer.server(server, seenSalts(server.clock()), seededRandom(~seed));
        pump(c, s);
        pump(s, c);
        assertTrue(c.isEstablished() && s.isEstablished(), "handshake did not complete; seed " + seed);
        return new Peer[] {c, s};
    }

    /** Reads every plaintext buffer that reached the end of the peer's pipeline, concatenated; releases them. */
    static byte[] readPlain(Peer p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object m; (m = p.channel.readInbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            byte[] chunk = new byte[b.readableBytes()];
            b.readBytes(chunk);
            b.release();
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }

    /**
     * Asserts the refusal contract of a server that got something it must not answer: not one byte written, still
     * open until the handshake deadline, closed at it, never established, and (by pump/receive not throwing)
     * nothing thrown out of the pipeline.
     */
    static void assertSilentUntilDeadline(Peer server, String what) {
        assertEquals(0, drain(server).length, what + ": the server answered");
        assertFalse(server.isEstablished(), what + ": the server established a tunnel");
        server.advance(HANDSHAKE_TIMEOUT.minusMillis(1));
        assertTrue(server.channel.isOpen(), what + ": closed before the handshake deadline");
        assertEquals(0, drain(server).length, what + ": the server answered");
        server.advance(Duration.ofMillis(1));
        assertFalse(server.channel.isOpen(), what + ": still open after the handshake deadline");
        assertEquals(0, drain(server).length, what + ": the server answered while closing");
        assertFalse(server.isEstablished(), what + ": the server established a tunnel");
    }

    /** One end: an EmbeddedChannel on a mock ticker, and what its {@link TunnelInitializer} saw. */
    static final class Peer implements AutoCloseable {
        final EmbeddedChannel channel;
        final MockTicker ticker;
        private final Recorder recorder;

        private Peer(MockTicker ticker, Recorder recorder, ChannelHandler handler) {
            this.ticker = ticker;
            this.recorder = recorder;
            this.channel = EmbeddedChannel.builder().ticker(ticker).handlers(handler).build();
        }

        static Peer client(TunnelSettings settings, SecureRandom random) {
            return client(settings, random, (ch, r) -> { });
        }

        /** {@code then} runs after the result is recorded (e.g. to write the first record at once). */
        static Peer client(TunnelSettings settings, SecureRandom random, TunnelInitializer then) {
            Recorder rec = new Recorder(then);
            return new Peer(Ticker.newMockTicker(), rec, new ClientHandshakeHandler(settings, random, rec));
        }

        static Peer server(TunnelSettings settings, SeenSalts salts, SecureRandom random) {
            return server(settings, salts, random, (ch, r) -> { });
        }

        static Peer server(TunnelSettings settings, SeenSalts salts, SecureRandom random, TunnelInitializer then) {
            Recorder rec = new Recorder(then);
            return new Peer(Ticker.newMockTicker(), rec, new ServerHandshakeHandler(settings, salts, random, rec));
        }

        /** Delivers one inbound buffer; a closed channel gets nothing (the buffer is released). */
        void receive(ByteBuf b) {
            if (channel.isOpen()) {
                channel.writeInbound(b);
            } else {
                b.release();
            }
        }

        /** Moves this end's clock and runs what fell due (the handshake deadline, for one). */
        void advance(Duration d) {
            ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
        }

        boolean isEstablished() {
            return recorder.result != null;
        }

        HandshakeResult result() {
            return recorder.result;
        }

        int establishedCalls() {
            return recorder.calls;
        }

        /** Closes the channel and releases every buffer still queued in it. */
        @Override
        public void close() {
            channel.finishAndReleaseAll();
        }
    }

    private static final class Recorder implements TunnelInitializer {
        private final TunnelInitializer then;
        HandshakeResult result;
        int calls;

        Recorder(TunnelInitializer then) {
            this.then = then;
        }

        @Override
        public void established(Channel channel, HandshakeResult r) {
            calls++;
            result = r;
            then.established(channel, r);
        }
    }

    static void assertSameBytes(byte[] expected, byte[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                assertEquals(expected[i], actual[i], what + ": first difference at byte " + i);
            }
        }
    }
}
