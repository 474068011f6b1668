package dev.ferry.transport.kcp;

import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.udp.Drop;
import dev.ferry.transport.udp.FecSetting;
import dev.ferry.transport.udp.PacketCrypto;
import dev.ferry.transport.udp.PacketFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kcp transport over real UDP sockets on 127.0.0.1: integrity, NAT rebinding, replays, garbage, closing. */
class KcpTransportTest extends KcpSocketTest {
    private static final long SEED = Long.getLong("ferry.seed", 20261122L);

    private static KcpOptions options(PresharedKey key, long seed) {
        return options(key, seed, FecSetting.OFF);
    }

    private static KcpOptions options(PresharedKey key, long seed, FecSetting fec) {
        return KcpTestOptions.options(key, seed, fec);
    }

    private static PresharedKey key(long seed) {
        return KcpTestOptions.key(seed);
    }

    private InetSocketAddress listenEcho(KcpTransport transport) {
        listener = transport.listen(group, LOOPBACK, new ChannelInitializer<Channel>() {
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

    private long drops(Drop reason) throws Exception {
        return listener.eventLoop().submit(() -> serverSessions().drops().total(reason)).get(5, TimeUnit.SECONDS);
    }

    private int sessions() throws Exception {
        return listener.eventLoop().submit(() -> serverSessions().sessionCount()).get(5, TimeUnit.SECONDS);
    }

    /** Echoes {@code total} seeded bytes through a fresh client session to {@code to} and checks them. */
    private Channel echo(KcpTransport client, InetSocketAddress to, long total, long seed,
                         java.util.function.LongConsumer progress) throws Exception {
        EchoAndCheck.Sender sender = new EchoAndCheck.Sender(total, seed, progress);
        Channel ch = client.connect(group, to, sender).get(5, TimeUnit.SECONDS);
        byte[] got = sender.done.get(60, TimeUnit.SECONDS);
        assertArrayEquals(EchoAndCheck.Sender.expected(total, seed), got, "echoed bytes differ; seed " + seed);
        return ch;
    }

    @Test
    void echoesEightMebibytesIntact() throws Exception {
        PresharedKey key = key(SEED);
        InetSocketAddress server = listenEcho(new KcpTransport(io, options(key, SEED)));
        Channel ch = echo(new KcpTransport(io, options(key, SEED + 1)), server, 8 << 20, SEED, n -> { });
        ch.close().sync();
        assertEquals(0, drops(Drop.UNAUTHENTIC) + drops(Drop.REPLAYED) + drops(Drop.MALFORMED), "seed " + SEED);
    }

    /** Regression: an end with FEC once refused the full-size segments of an end without it (its mss was smaller). */
    @org.junit.jupiter.params.ParameterizedTest(name = "server fec {0}, client fec {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {"10,3|0,0", "0,0|10,3"})
    void endsWithDifferentFecSettingsUnderstandEachOther(String serverFec, String clientFec) throws Exception {
        PresharedKey key = key(SEED);
        InetSocketAddress server = listenEcho(new KcpTransport(io, options(key, SEED, FecSetting.parse(serverFec))));
        Channel ch = echo(new KcpTransport(io, options(key, SEED + 1, FecSetting.parse(clientFec))), server, 1 << 20,
                SEED, n -> { });
        ch.close().sync();
        assertEquals(0, drops(Drop.MALFORMED), "seed " + SEED);
    }

    @Test
    void sessionSurvivesNatRebindingMidTransfer() throws Exception {
        PresharedKey key = key(SEED);
        InetSocketAddress server = listenEcho(new KcpTransport(io, options(key, SEED)));
        try (UdpRelay nat = new UdpRelay(group, io, server)) {
            long total = 4 << 20;
            boolean[] rebound = new boolean[1];
            echo(new KcpTransport(io, options(key, SEED + 2)), nat.address(), total, SEED, echoed -> {
                if (!rebound[0] && echoed > total / 3) {
                    rebound[0] = true;
                    group.execute(() -> {
                        try {
                            nat.rebind();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
            });
            assertTrue(rebound[0], "the NAT never rebound");
            assertEquals(2, nat.upstreamPorts.get());
            assertEquals(1, sessions(), "the rebound client must keep its one session");
        }
    }

    @Test
    void replayedDatagramsAreRefusedAndTheTransferGoesOn() throws Exception {
        PresharedKey key = key(SEED);
        InetSocketAddress server = listenEcho(new KcpTransport(io, options(key, SEED)));
        try (UdpRelay replayer = new UdpRelay(group, io, server)) {
            replayer.duplicateUpstream = true;
            echo(new KcpTransport(io, options(key, SEED + 3)), replayer.address(), 1 << 20, SEED, n -> { });
        }
        assertTrue(drops(Drop.REPLAYED) > 0, "every client datagram was sent twice; copies must be refused");
    }

    @Test
    void fecRebuildsLostPacketsAndAutoSizesParityFromReportedLoss() throws Exception {
        PresharedKey key = key(SEED);
        InetSocketAddress server = listenEcho(new KcpTransport(io, options(key, SEED, FecSetting.parse("10,3"))));
        try (UdpRelay lossy = new UdpRelay(group, io, server)) {
            lossy.dropRate = 0.05;
            Channel ch = echo(new KcpTransport(io, options(key, SEED + 6, FecSetting.AUTO)), lossy.address(),
                    2 << 20, SEED, n -> { });
            KcpSession client = ((KcpStreamChannel) ch).session();
            // The server sends 10,3 from the start; the client's auto parity waits for the server's loss reports
            // (about one a second), so traffic keeps flowing until each effect has shown.
            long clientRecovered = feedUntil(ch, ch.eventLoop(), () -> client.fec().recovered());
            long parity = feedUntil(ch, ch.eventLoop(), () -> client.fec().shape().parityShards());
            long serverRecovered = feedUntil(ch, listener.eventLoop(),
                    () -> serverSessions().sessions().get(0).fec().recovered());
            assertTrue(clientRecovered > 0 && parity > 0 && serverRecovered > 0, "seed " + SEED);
        }
    }

    /**
     * Writes 256 KiB to {@code ch} every 50 ms until {@code value}, read on {@code loop}, is positive; returns it. Fails
     * (times out) after 20 s: at 5 % loss the effect waited for shows well within that.
     */
    private static long feedUntil(Channel ch, EventLoop loop, LongSupplier value) throws Exception {
        CompletableFuture<Long> positive = new CompletableFuture<>();
        var feeder = loop.scheduleAtFixedRate(() -> {
            long v = value.getAsLong();
            if (v > 0) {
                positive.complete(v);
            } else {
                ch.writeAndFlush(ch.alloc().buffer(256 * 1024).writeZero(256 * 1024));
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        try {
            return positive.get(20, TimeUnit.SECONDS);
        } finally {
            feeder.cancel(false);
        }
    }

    @Test
    void garbageGetsSilenceAndCreatesNoSession() throws Exception {
        PresharedKey key = key(SEED);
        InetSocketAddress server = listenEcho(new KcpTransport(io, options(key, SEED)));
        SplittableRandom random = new SplittableRandom(SEED);
        try (DatagramSocket prober = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < 2_000; i++) {
                byte[] junk = new byte[random.nextInt(1, 1400)];
                random.nextBytes(junk);
                prober.send(new DatagramPacket(junk, junk.length, server));
            }
            // a wrong key's well-formed session opening
            PacketCrypto stranger = PacketCrypto.forClient(key(SEED + 99), CipherKind.AES_256_GCM, 42, 1350);
            sendSealed(prober, server, stranger, System.currentTimeMillis());
            // the right key, but without the timestamp that may open a session
            PacketCrypto noStamp = PacketCrypto.forClient(key, CipherKind.AES_256_GCM, 43, 1350);
            sendSealed(prober, server, noStamp, -1);
            // the right key, but an old timestamp (a replay of a session opened long ago)
            PacketCrypto old = PacketCrypto.forClient(key, CipherKind.AES_256_GCM, 44, 1350);
            sendSealed(prober, server, old, System.currentTimeMillis() - 120_000);

            // a real session after the junk: once it has echoed, the server has read everything sent before it
            Channel real = echo(new KcpTransport(io, options(key, SEED + 4)), server, 64 * 1024, SEED, n -> { });
            assertTrue(drops(Drop.UNAUTHENTIC) + drops(Drop.TRUNCATED_OR_OVERSIZED) > 0, "junk must be counted");
            assertEquals(1, drops(Drop.UNKNOWN_SESSION), "the unstamped packet");
            assertEquals(1, drops(Drop.STALE), "the old timestamp");
            assertEquals(1, sessions(), "only the real client has a session");
            real.close().sync();

            prober.setSoTimeout(300);
            byte[] answer = new byte[2048];
            assertThrows(SocketTimeoutException.class, () -> prober.receive(new DatagramPacket(answer, answer.length)),
                    "an unauthenticated peer must hear nothing");
        }
    }

    private static void sendSealed(DatagramSocket from, InetSocketAddress to, PacketCrypto crypto, long stamp)
            throws Exception {
        byte[] body = new byte[24];
        ByteBuf sealed = crypto.seal(ByteBufAllocator.DEFAULT, PacketFormat.KIND_KCP, stamp, body, 0, body.length);
        try {
            byte[] bytes = new byte[sealed.readableBytes()];
            sealed.readBytes(bytes);
            from.send(new DatagramPacket(bytes, bytes.length, to));
        } finally {
            sealed.release();
        }
    }

    @Test
    void closedListenerKeepsOpenSessionsAndRefusesNewOnes() throws Exception {
        PresharedKey key = key(SEED);
        InetSocketAddress server = listenEcho(new KcpTransport(io, options(key, SEED)));
        KcpTransport client = new KcpTransport(io, options(key, SEED + 5));
        EchoAndCheck.Sender first = new EchoAndCheck.Sender(2 << 20, SEED, n -> { });
        Channel open = client.connect(group, server, first).get(5, TimeUnit.SECONDS);
        listener.close().sync();
        assertArrayEquals(EchoAndCheck.Sender.expected(2 << 20, SEED), first.done.get(60, TimeUnit.SECONDS),
                "a session opened before the listener closed must go on");

        EchoAndCheck.Sender late = new EchoAndCheck.Sender(1024, SEED, n -> { });
        client.connect(group, server, late).get(5, TimeUnit.SECONDS);
        open.close().sync();
        assertTrue(open.closeFuture().await(5, TimeUnit.SECONDS));
        assertThrows(java.util.concurrent.TimeoutException.class, () -> late.done.get(500, TimeUnit.MILLISECONDS),
                "no session may open after the listener closed");
    }
}
