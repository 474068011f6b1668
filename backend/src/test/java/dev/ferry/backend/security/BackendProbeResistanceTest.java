package dev.ferry.backend.security;

import dev.ferry.backend.BackendConfig;
import dev.ferry.backend.BackendServer;
import dev.ferry.backend.DestinationPolicy;
import dev.ferry.backend.security.ProbeKit.Ending;
import dev.ferry.backend.security.ProbeKit.Outcome;
import dev.ferry.crypto.CipherKind;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.TunnelSettings;
import dev.ferry.tunnel.secure.HandshakeResult;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real backend on 127.0.0.1 probed over real sockets. Whatever a prober sends that is not a fresh hello sealed with
 * the key (garbage, a hello under another key, part of a hello, a replayed hello) must get not one byte back and see
 * the connection close at the handshake deadline, no earlier; and afterwards a real frontend must still bring a
 * tunnel up and get a PING answered through it. Seeds are printed on failure ({@code -Dferry.test.seed=N}).
 */
class BackendProbeResistanceTest {
    private static final long MASTER_SEED = Long.getLong("ferry.test.seed", 0xBAC_E2D5EEDL);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(1500);
    /** How long a probe reads at most: well past the deadline, so "never closed" shows as TIMEOUT. */
    private static final Duration READ_FOR = HANDSHAKE_TIMEOUT.plusSeconds(6);
    /** Rounding slack when checking that a close did not come before the deadline (both sides use nanoTime). */
    private static final long EARLY_SLACK_MILLIS = 5;
    private static final Duration GOOD_CLIENT_WAIT = Duration.ofSeconds(10);

    private static final PresharedKey KEY = key(MASTER_SEED);
    private static final PresharedKey OTHER_KEY = key(MASTER_SEED + 1);

    private final IoRuntime io = IoRuntime.detect();
    private BackendServer backend;
    private InetSocketAddress address;
    private EventLoopGroup clientGroup;
    private ExecutorService probes;

    private static PresharedKey key(long seed) {
        byte[] k = new byte[PresharedKey.LENGTH];
        new SplittableRandom(seed).nextBytes(k);
        return PresharedKey.ofBytes(k);
    }

    private static TunnelSettings settings(PresharedKey key, Duration handshakeTimeout) {
        return new TunnelSettings(key, CipherKind.AES_256_GCM, false, TunnelSettings.DEFAULT_KEEPALIVE,
                TunnelSettings.DEFAULT_DEAD_AFTER, handshakeTimeout, TunnelSettings.DEFAULT_STREAM_WINDOW,
                InstantSource.system(), dev.ferry.transport.kcp.KcpTuning.DEFAULT,
                TunnelSettings.DEFAULT_UDP_IDLE);
    }

    @BeforeEach
    void startBackend() throws Exception {
        BackendConfig config = new BackendConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "tcp",
                settings(KEY, HANDSHAKE_TIMEOUT), DestinationPolicy.allowAll(), Duration.ofSeconds(2),
                Duration.ofSeconds(1));
        backend = new BackendServer(config, io, new Transports(io));
        address = backend.start();
        clientGroup = io.newGroup(1);
        probes = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void stop() {
        probes.shutdownNow();
        if (clientGroup != null) {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void garbageGetsSilenceAndTheBackendStillServes() throws Exception {
        long seed = MASTER_SEED ^ 0x6A2B;
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> attacks = new ArrayList<>();
        for (int length : new int[] {1, 31, 99, 100, 101, 355, 1000, 20_000}) {
            byte[] b = new byte[length];
            r.nextBytes(b);
            attacks.add(b);
        }
        assertAllSilent(attacks, "garbage, seed " + seed);
        assertGoodTunnel("after garbage, seed " + seed);
    }

    @Test
    void aHelloUnderAnotherKeyGetsSilence() throws Exception {
        List<byte[]> attacks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            attacks.add(ProbeKit.realClientHello(settings(OTHER_KEY, HANDSHAKE_TIMEOUT)));
        }
        assertAllSilent(attacks, "hello under another key");
        assertGoodTunnel("after wrong-key hellos");
    }

    @Test
    void aTruncatedHelloGetsSilence() throws Exception {
        byte[] hello = ProbeKit.realClientHello(settings(KEY, HANDSHAKE_TIMEOUT));
        List<byte[]> attacks = new ArrayList<>();
        List<Integer> cuts = new ArrayList<>();
        for (int k : new int[] {1, 32, 50, ProbeKit.SEALED_HELLO_LENGTH - 1, ProbeKit.SEALED_HELLO_LENGTH,
                ProbeKit.SEALED_HELLO_LENGTH + 1, hello.length - 1}) {
            if (k > 0 && k < hello.length && !cuts.contains(k)) {
                cuts.add(k);
                attacks.add(Arrays.copyOf(hello, k));
            }
        }
        assertAllSilent(attacks, "first " + cuts + " of " + hello.length + " hello bytes");
        assertGoodTunnel("after truncated hellos");
    }

    @Test
    void aReplayedHelloIsAnsweredOnlyTheFirstTime() throws Exception {
        byte[] hello = ProbeKit.realClientHello(settings(KEY, HANDSHAKE_TIMEOUT));
        byte[] answer = ProbeKit.sendAndRead(address, hello, ProbeKit.SEALED_HELLO_LENGTH, Duration.ofSeconds(5));
        assertTrue(answer.length >= ProbeKit.SEALED_HELLO_LENGTH,
                "the first offer of a fresh hello must be answered; got " + answer.length + " bytes");
        assertAllSilent(List.of(hello, hello, hello), "replayed hello");
        assertGoodTunnel("after replays");
    }

    /**
     * A prober that sends its bytes and then half-closes (TCP FIN) must see the same as one that does not: silence
     * and a close at the deadline. PROTOCOL.md promises that a scanner cannot tell a ferry backend from a silent port
     * "not even by when the connection closes"; a silent port does not hang up when the client stops sending.
     */
    @Test
    void aProbeThatHalfClosesIsStillHeldUntilTheDeadline() throws Exception {
        long seed = MASTER_SEED ^ 0xF1;
        SplittableRandom r = new SplittableRandom(seed);
        List<Future<Outcome>> outcomes = new ArrayList<>();
        int[] lengths = {0, 50, 200};
        for (int length : lengths) {
            byte[] garbage = new byte[length];
            r.nextBytes(garbage);
            outcomes.add(probes.submit(() -> ProbeKit.probe(address, garbage, true, READ_FOR, null)));
        }
        for (int i = 0; i < lengths.length; i++) {
            assertSilentAndClosedAtDeadline(outcomes.get(i).get(READ_FOR.toSeconds() + 10, TimeUnit.SECONDS),
                    lengths[i] + " garbage bytes then FIN, seed " + seed);
        }
        assertGoodTunnel("after half-closing probes, seed " + seed);
    }

    /** 200 garbage connections at once; a real frontend connects while they are all still held open. */
    @Test
    void manyGarbageConnectionsAtOnceAnswerNoneAndBlockNoOne() throws Exception {
        long seed = MASTER_SEED ^ 0x200;
        int count = 200;
        SplittableRandom r = new SplittableRandom(seed);
        CountDownLatch allSent = new CountDownLatch(count);
        List<Future<Outcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] garbage = new byte[1 + r.nextInt(2000)];
            r.nextBytes(garbage);
            outcomes.add(probes.submit(() -> ProbeKit.probe(address, garbage, READ_FOR, allSent::countDown)));
        }
        assertTrue(allSent.await(10, TimeUnit.SECONDS), "not all " + count + " probes connected and sent");
        assertGoodTunnel("while " + count + " garbage connections are open, seed " + seed);
        for (int i = 0; i < count; i++) {
            assertSilentAndClosedAtDeadline(outcomes.get(i).get(READ_FOR.toSeconds() + 10, TimeUnit.SECONDS),
                    "parallel probe " + i + ", seed " + seed);
        }
        assertGoodTunnel("after " + count + " garbage connections, seed " + seed);
    }

    /** Runs every attack on its own connection at once and checks each got silence and a close at the deadline. */
    private void assertAllSilent(List<byte[]> attacks, String what) throws Exception {
        List<Future<Outcome>> outcomes = new ArrayList<>();
        for (byte[] attack : attacks) {
            outcomes.add(probes.submit(() -> ProbeKit.probe(address, attack, READ_FOR, null)));
        }
        for (int i = 0; i < attacks.size(); i++) {
            assertSilentAndClosedAtDeadline(outcomes.get(i).get(READ_FOR.toSeconds() + 10, TimeUnit.SECONDS),
                    what + " #" + i + " (" + attacks.get(i).length + " bytes)");
        }
    }

    private static void assertSilentAndClosedAtDeadline(Outcome o, String what) {
        assertEquals(0, o.bytesReceived(), what + ": the backend answered: " + o);
        assertNotEquals(Ending.TIMEOUT, o.ending(), what + ": not closed at the handshake deadline: " + o);
        if (o.millisSinceConnecting() < HANDSHAKE_TIMEOUT.toMillis() - EARLY_SLACK_MILLIS) {
            fail(what + ": closed before the handshake deadline of " + HANDSHAKE_TIMEOUT.toMillis() + " ms: " + o);
        }
    }

    private void assertGoodTunnel(String when) throws Exception {
        long opaque = System.nanoTime();
        HandshakeResult result = ProbeKit.goodTunnel(io, clientGroup, address,
                settings(KEY, GOOD_CLIENT_WAIT), opaque, GOOD_CLIENT_WAIT);
        assertEquals(CipherKind.AES_256_GCM, result.cipher(), when);
        assertEquals(TunnelSettings.DEFAULT_STREAM_WINDOW, result.peerStreamWindow(), when);
    }
}
