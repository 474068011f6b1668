package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two engines over a lossless in-test link move 1 MiB each way, byte for byte. */
class KcpEngineLoopbackTest {
    private static final int MIB = 1 << 20;

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("fast3", KcpConfig.fast3(), KcpConfig.fast3(), 11L),
                Arguments.of("normal", KcpConfig.normal(), KcpConfig.normal(), 12L),
                Arguments.of("small-mtu-cc", KcpConfig.fast2().withMtu(200).withWindows(32, 16)
                        .withCongestionControl(true), KcpConfig.fast2().withMtu(200).withWindows(8, 64), 13L),
                Arguments.of("delayed-acks", KcpConfig.fast().withImmediateAcks(false),
                        KcpConfig.fast().withImmediateAcks(false).withWindows(64, 64), 14L),
                Arguments.of("held-acks", KcpConfig.fast3().withImmediateAcks(false).withAckDelay(5),
                        KcpConfig.fast3().withImmediateAcks(false).withAckDelay(5).withWindows(64, 64), 15L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void oneMebibyteEachWay(String name, KcpConfig configA, KcpConfig configB, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        PacketPipe pipe = new PacketPipe(0xC0FFEE, configA, configB);
        exchange(pipe, random, MIB, seed);
        for (KcpEngine e : new KcpEngine[] {pipe.a, pipe.b}) {
            KcpStats s = e.stats();
            assertEquals(0, s.retransmits(), "no loss, no timeouts: " + s + ", seed " + seed);
            assertEquals(0, s.fastRetransmits(), "no loss, no fast retransmits: " + s + ", seed " + seed);
        }
    }

    /** Not the lossy-link suite (that one runs over the simulator): a quick check that recovery stays exact. */
    @ParameterizedTest(name = "loss {0}")
    @ValueSource(ints = {1, 10, 30})
    void exactDespiteSeededLoss(int lossPercent) {
        long seed = 0x1055L + lossPercent;
        SplittableRandom random = new SplittableRandom(seed);
        SplittableRandom dice = new SplittableRandom(seed * 31);
        PacketPipe pipe = new PacketPipe(0xC0FFEE, KcpConfig.fast3().withWindows(128, 128),
                KcpConfig.fast2().withWindows(64, 256).withCongestionControl(true));
        pipe.dropToB(p -> dice.nextInt(100) < lossPercent);
        pipe.dropToA(p -> dice.nextInt(100) < lossPercent);
        exchange(pipe, random, 256 * 1024, seed);
        if (lossPercent >= 10) {
            long resent = 0;
            for (KcpEngine e : new KcpEngine[] {pipe.a, pipe.b}) {
                resent += e.stats().retransmits() + e.stats().fastRetransmits();
            }
            assertTrue(resent > 0, "losses were repaired by retransmission, seed " + seed);
        }
    }

    private static void exchange(PacketPipe pipe, SplittableRandom random, int size, long seed) {
        byte[] fromA = randomBytes(random, size);
        byte[] fromB = randomBytes(random, size);
        Side a = new Side(pipe.a, fromA, fromB.length);
        Side b = new Side(pipe.b, fromB, fromA.length);

        long now = 1_000;
        int steps = 0;
        while (!(a.done() && b.done())) {
            assertTrue(++steps < 1_000_000, "no progress, seed " + seed);
            a.write(random);
            b.write(random);
            pipe.deliver(now);
            a.read(random);
            b.read(random);
            pipe.a.flush(now);
            pipe.b.flush(now);
            pipe.deliver(now);
            now++;
            if (now >= pipe.a.nextUpdate(now)) {
                pipe.a.update(now);
            }
            if (now >= pipe.b.nextUpdate(now)) {
                pipe.b.update(now);
            }
        }
        pipe.deliver(now);

        assertTrue(Arrays.equals(fromB, a.received), "A got B's bytes, seed " + seed);
        assertTrue(Arrays.equals(fromA, b.received), "B got A's bytes, seed " + seed);
        assertEquals(0, pipe.a.waitingSegments(), "seed " + seed);
        assertEquals(0, pipe.b.waitingSegments(), "seed " + seed);
        for (KcpEngine e : new KcpEngine[] {pipe.a, pipe.b}) {
            KcpStats s = e.stats();
            assertEquals(size, s.bytesSent(), "seed " + seed);
            assertEquals(size, s.bytesReceived(), "seed " + seed);
            assertFalse(e.isDead(), "seed " + seed);
            assertEquals(0, s.malformedPackets());
            assertTrue(s.srttMillis() >= 0 && s.rtoMillis() >= RttEstimator.MIN_RTO_NODELAY, s.toString());
        }
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** One end: what it still has to write, and what it has read so far. */
    private static final class Side {
        final KcpEngine engine;
        final byte[] toSend;
        final byte[] received;
        final byte[] readBuf = new byte[40_000];
        int sent;
        int got;

        Side(KcpEngine engine, byte[] toSend, int expected) {
            this.engine = engine;
            this.toSend = toSend;
            this.received = new byte[expected];
        }

        void write(SplittableRandom random) {
            if (sent < toSend.length) {
                int n = Math.min(random.nextInt(1, 20_000), toSend.length - sent);
                int taken = engine.send(toSend, sent, n);
                assertTrue(taken >= 0 && taken <= n);
                sent += taken;
            }
        }

        void read(SplittableRandom random) {
            int want = random.nextInt(1, readBuf.length);
            int n = engine.receive(readBuf, 0, want);
            assertTrue(got + n <= received.length, "more bytes than were sent");
            System.arraycopy(readBuf, 0, received, got, n);
            got += n;
        }

        boolean done() {
            return sent == toSend.length && got == received.length && engine.waitingSegments() == 0;
        }
    }
}
