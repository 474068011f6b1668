package dev.ferry.transport.kcp;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.TransportOptions;
import dev.ferry.transport.Transports;
import dev.ferry.transport.kcp.engine.Congestion;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.kcp.engine.KcpEngine;
import dev.ferry.transport.udp.Drop;
import dev.ferry.transport.udp.FecSetting;
import dev.ferry.transport.udp.PacketCrypto;
import dev.ferry.transport.udp.PacketFormat;
import dev.ferry.transport.udp.Plaintext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frontend's {@code --down} over real UDP sockets on 127.0.0.1: the client declares its rate in RATE packets
 * ({@link PacketFormat#KIND_RATE}) from its first packet on, the server's session engine switches to that rate
 * (capped by the server's own declared rate, converted with the server's own mtu and FEC), malformed RATE bodies are
 * dropped and counted, and a client drops any RATE it is sent.
 */
class KcpDeclaredRateTest extends KcpSocketTest {
    private static final long SEED = Long.getLong("ferry.seed", 20260503L);
    private static final int MTU = 1350;

    private static KcpOptions options(PresharedKey key, long seed, KcpConfig engine, FecSetting fec, long down) {
        return KcpTestOptions.options(key, seed, engine, fec, down);
    }

    private static PresharedKey key(long seed) {
        return KcpTestOptions.key(seed);
    }

    private InetSocketAddress listenEcho(KcpOptions options) {
        listener = new KcpTransport(io, options).listen(group, LOOPBACK, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new EchoAndCheck.Echo());
            }
        }).syncUninterruptibly().getNow();
        return (InetSocketAddress) listener.localAddress();
    }

    private KcpServerHandler serverSessions() {
        return ((KcpListenerChannel) listener).sessions();
    }

    private <T> T onServer(Callable<T> what) throws Exception {
        return listener.eventLoop().submit(what).get(5, TimeUnit.SECONDS);
    }

    /** The server's session with this id, read on the server's loop. */
    private KcpEngine serverEngine(long sessionId) throws Exception {
        return onServer(() -> serverSessions().sessions().stream().filter(s -> s.sessionId() == sessionId)
                .findFirst().orElseThrow().engine());
    }

    private long serverPacing(long sessionId) throws Exception {
        KcpEngine e = serverEngine(sessionId);
        return onServer(() -> e.stats().pacingRate());
    }

    /** Echoes {@code total} seeded bytes through a fresh client session and returns it (still open). */
    private Channel echo(KcpOptions client, InetSocketAddress to, long total) throws Exception {
        EchoAndCheck.Sender sender = new EchoAndCheck.Sender(total, SEED, n -> { });
        Channel ch = new KcpTransport(io, client).connect(group, to, sender).get(5, TimeUnit.SECONDS);
        assertArrayEquals(EchoAndCheck.Sender.expected(total, SEED), sender.done.get(30, TimeUnit.SECONDS),
                "echoed bytes differ; seed " + SEED);
        return ch;
    }

    private static long sessionId(Channel ch) {
        return ((KcpStreamChannel) ch).session().sessionId();
    }

    /** Completes once {@code condition}, checked on {@code loop} every 10 ms, holds; fails after 10 s. */
    private static void await(EventLoop loop, BooleanSupplier condition, String what) throws Exception {
        CompletableFuture<Void> met = new CompletableFuture<>();
        var check = loop.scheduleAtFixedRate(() -> {
            if (condition.getAsBoolean()) {
                met.complete(null);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        try {
            met.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("waited 10 s for " + what + "; seed " + SEED, e);
        } finally {
            check.cancel(false);
        }
    }

    @Test
    void theDownRateTravelsFromTheTuningToTheTransportsOptions() {
        KcpTuning tuning = KcpTuning.DEFAULT.withDown(20_000_000);
        assertEquals(0, KcpTuning.DEFAULT.downBitsPerSecond(), "the default declares nothing");
        TransportOptions options = new TransportOptions(key(SEED), CipherKind.AES_256_GCM, tuning,
                InstantSource.system(), new SplittableRandom(SEED));
        KcpTransport kcp = (KcpTransport) new Transports(io).create("kcp", options);
        assertEquals(20_000_000, kcp.options().downBitsPerSecond());
        assertEquals(0, ((KcpTransport) new Transports(io).create("kcp", new TransportOptions(key(SEED),
                CipherKind.AES_256_GCM, KcpTuning.DEFAULT, InstantSource.system(), new SplittableRandom(SEED))))
                .options().downBitsPerSecond());
    }

    @Test
    void serverSendsAtTheRateTheClientDeclaresInItsOwnEngineRate() throws Exception {
        PresharedKey key = key(SEED);
        FecSetting serverFec = FecSetting.parse("10,3");
        InetSocketAddress server = listenEcho(options(key, SEED, KcpConfig.fast3(), serverFec, 0));
        Channel ch = echo(options(key, SEED + 1, KcpConfig.fast3(), serverFec, 20_000_000), server, 256 * 1024);

        KcpEngine engine = serverEngine(sessionId(ch));
        // Converted with the server's mtu and FEC: FEC headers take room from each packet's KCP bytes.
        long expected = KcpOptions.engineBytesPerSecond(20_000_000, MTU);
        assertEquals(expected, onServer(() -> engine.stats().pacingRate()), "seed " + SEED);
        assertEquals(Congestion.DECLARED, onServer(() -> engine.config().congestion()));
        KcpEngine clientEngine = ((KcpStreamChannel) ch).session().engine();
        assertEquals(0, ch.eventLoop().submit(() -> clientEngine.stats().pacingRate()).get(5, TimeUnit.SECONDS),
                "--down sets what the server sends, not what the client sends");
        assertEquals(0, onServer(() -> serverSessions().drops().total(Drop.MALFORMED)));
        ch.close().sync();
    }

    @Test
    void serverKeepsItsOwnUpWhenTheClientDeclaresMore() throws Exception {
        PresharedKey key = key(SEED);
        long ownUp = KcpOptions.engineBytesPerSecond(10_000_000, MTU);
        InetSocketAddress server = listenEcho(options(key, SEED, KcpConfig.fast3().withDeclaredRate(ownUp),
                FecSetting.OFF, 0));
        Channel more = echo(options(key, SEED + 2, KcpConfig.fast3(), FecSetting.OFF, 50_000_000), server, 64 * 1024);
        Channel less = echo(options(key, SEED + 3, KcpConfig.fast3(), FecSetting.OFF, 5_000_000), server, 64 * 1024);
        Channel none = echo(options(key, SEED + 4, KcpConfig.fast3(), FecSetting.OFF, 0), server, 64 * 1024);

        assertEquals(ownUp, serverPacing(sessionId(more)), "min(50 Mbit/s declared, 10 Mbit/s own); seed " + SEED);
        assertEquals(KcpOptions.engineBytesPerSecond(5_000_000, MTU), serverPacing(sessionId(less)),
                "min(5 Mbit/s declared, 10 Mbit/s own); seed " + SEED);
        assertEquals(ownUp, serverPacing(sessionId(none)), "nothing declared: the server's own --up");
        for (Channel ch : List.of(more, less, none)) {
            ch.close().sync();
        }
    }

    @Test
    void malformedRateBodiesAreDroppedAndCountedAndTheSessionGoesOn() throws Exception {
        PresharedKey key = key(SEED);
        listenEcho(options(key, SEED, KcpConfig.fast3(), FecSetting.OFF, 0));
        InetSocketAddress server = (InetSocketAddress) listener.localAddress();
        long id = 0x5eed_0005L;
        PacketCrypto crypto = PacketCrypto.forClient(key, CipherKind.AES_256_GCM, id, MTU);
        try (DatagramSocket prober = new DatagramSocket(LOOPBACK)) {
            // A RATE may open the session, as a client's first packet is one.
            sendSealed(prober, server, crypto, System.currentTimeMillis(), rate(8_000_000));
            await(listener.eventLoop(), () -> pacing(id) == engineRate(8_000_000), "the first RATE to apply");

            List<byte[]> malformed = List.of(new byte[7], new byte[9], rate(PacketFormat.MIN_RATE_BITS_PER_SECOND - 1),
                    rate(PacketFormat.MAX_RATE_BITS_PER_SECOND + 1), rate(-1), new byte[0]);
            for (byte[] body : malformed) {
                sendSealed(prober, server, crypto, -1, body);
            }
            await(listener.eventLoop(), () -> serverSessions().drops().total(Drop.MALFORMED) == malformed.size(),
                    "every malformed RATE counted");
            assertEquals(engineRate(8_000_000), pacing(id), "malformed RATE bodies change nothing");

            sendSealed(prober, server, crypto, -1, rate(PacketFormat.MIN_RATE_BITS_PER_SECOND));
            await(listener.eventLoop(), () -> pacing(id) == engineRate(PacketFormat.MIN_RATE_BITS_PER_SECOND),
                    "the session to take the next well-formed RATE");
            assertEquals(malformed.size(), onServer(() -> serverSessions().drops().total(Drop.MALFORMED)));
            assertEquals(1, onServer(() -> serverSessions().sessionCount()));
        }
    }

    @Test
    void clientDeclaresBeforeItsFirstPacketAndEverySecondAndDropsARateSentToIt() throws Exception {
        PresharedKey key = key(SEED);
        try (DatagramSocket fakeServer = new DatagramSocket(LOOPBACK)) {
            InetSocketAddress at = (InetSocketAddress) fakeServer.getLocalSocketAddress();
            EchoAndCheck.Sender sender = new EchoAndCheck.Sender(1024, SEED, n -> { });
            Channel ch = new KcpTransport(io, options(key, SEED + 5, KcpConfig.fast3(), FecSetting.OFF, 20_000_000))
                    .connect(group, at, sender).get(5, TimeUnit.SECONDS);
            long id = sessionId(ch);
            PacketCrypto crypto = PacketCrypto.forServer(key, CipherKind.AES_256_GCM, id, MTU);

            fakeServer.setSoTimeout(5_000);
            List<Long> rateArrivals = new ArrayList<>();
            int packets = 0;
            InetSocketAddress client = null;
            byte[] plain = new byte[MTU];
            while (rateArrivals.size() < 2) {
                DatagramPacket p = new DatagramPacket(new byte[MTU], MTU);
                fakeServer.receive(p);
                client = (InetSocketAddress) p.getSocketAddress();
                ByteBuf sealed = Unpooled.wrappedBuffer(p.getData(), 0, p.getLength());
                int n;
                try {
                    n = crypto.open(sealed, plain);
                } finally {
                    sealed.release();
                }
                assertTrue(n > 0, "the client's packets are authentic and fresh");
                packets++;
                if (Plaintext.kind(plain) == PacketFormat.KIND_RATE) {
                    rateArrivals.add(System.nanoTime() / 1_000_000);
                    int body = Plaintext.bodyOffset(plain, n);
                    assertEquals(20_000_000, RateDeclaration.decode(plain, body, n - body));
                    assertTrue(Plaintext.hasTimestamp(plain), "stamped like every packet until the server answers");
                } else {
                    assertFalse(rateArrivals.isEmpty(), "a RATE before the session's first packet");
                }
            }
            assertTrue(packets > 2, "KCP packets in between");
            long gap = rateArrivals.get(1) - rateArrivals.get(0);
            // Real time on a shared machine: loose bounds, but neither with every packet nor never.
            assertTrue(gap >= RateDeclaration.REPEAT_MILLIS / 2 && gap <= 3 * RateDeclaration.REPEAT_MILLIS,
                    "repeated about every second, not " + gap + " ms");

            // A server never declares: the client drops a RATE as malformed and carries on.
            ByteBuf rate = crypto.seal(ByteBufAllocator.DEFAULT, PacketFormat.KIND_RATE, -1, rate(1_000_000), 0,
                    PacketFormat.RATE_LENGTH);
            send(fakeServer, client, rate);
            KcpSession session = ((KcpStreamChannel) ch).session();
            KcpClientHandler handler = session.socket().pipeline().get(KcpClientHandler.class);
            await(ch.eventLoop(), () -> handler.drops().total(Drop.MALFORMED) == 1, "the client to drop the RATE");
            assertFalse(ch.eventLoop().submit(session::isFinished).get(5, TimeUnit.SECONDS));
            assertEquals(Congestion.OFF, ch.eventLoop().submit(() -> session.engine().config().congestion())
                    .get(5, TimeUnit.SECONDS), "the client's engine ignores it");
            ch.close().sync();
        }
    }

    private long pacing(long sessionId) {
        return serverSessions().sessions().stream().filter(s -> s.sessionId() == sessionId).findFirst()
                .map(s -> s.engine().stats().pacingRate()).orElse(-1L);
    }

    private static long engineRate(long bits) {
        return KcpOptions.engineBytesPerSecond(bits, MTU);
    }

    private static byte[] rate(long bits) {
        return ByteBuffer.allocate(Long.BYTES).putLong(bits).array();
    }

    private static void sendSealed(DatagramSocket from, InetSocketAddress to, PacketCrypto crypto, long stamp,
                                   byte[] body) throws Exception {
        send(from, to, crypto.seal(ByteBufAllocator.DEFAULT, PacketFormat.KIND_RATE, stamp, body, 0, body.length));
    }

    /** Sends and releases {@code sealed}. */
    private static void send(DatagramSocket from, InetSocketAddress to, ByteBuf sealed) throws Exception {
        try {
            byte[] bytes = new byte[sealed.readableBytes()];
            sealed.readBytes(bytes);
            from.send(new DatagramPacket(bytes, bytes.length, to));
        } finally {
            sealed.release();
        }
    }
}
