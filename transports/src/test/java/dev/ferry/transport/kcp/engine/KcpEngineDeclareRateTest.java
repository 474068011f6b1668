package dev.ferry.transport.kcp.engine;

import dev.ferry.transport.sim.FakeClock;
import dev.ferry.transport.sim.LinkProfile;
import dev.ferry.transport.sim.SimulatedPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KcpEngine#declareRate}: switching a running engine to {@link Congestion#DECLARED}, as a kcp server does
 * when its client declares {@code --down}. Before anything was sent, the switched engine must behave exactly like
 * one built with the declared rate (same packets at the same times); with segments in flight it must pace at the
 * new rate from then on, with the declared controller's window and the patient timeouts, and lose no byte.
 *
 * <p>One bulk transfer A→B over a seeded {@link SimulatedPath} in simulated time; {@code -Dferry.seed=N} replays a
 * run, and failure messages carry the seed.
 */
class KcpEngineDeclareRateTest {
    private static final long SEED = Long.getLong("ferry.seed", 2026_0503L);
    private static final int CONV = 0x5eed_0005;
    /** 500 kB/s of KCP wire bytes: below the bottleneck, so the rate A offers is the pacer's alone. */
    private static final long RATE = 500_000;

    @ParameterizedTest(name = "from {0}")
    @EnumSource(value = Congestion.class, names = {"OFF", "CLASSIC", "RATE"})
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void declaringBeforeTheFirstSegmentIsTheSameAsDeclaringFromTheStart(Congestion from) {
        // A 300 ms round trip, longer than the 200 ms initial RTO of an engine without congestion control: the
        // switched engine must also take the patient initial RTO, or its first flight goes twice. A bottleneck a
        // little below the declared rate builds a queue, so the round trip grows while segments fly: the patient
        // timeouts must apply to them as well.
        LinkProfile forward = LinkProfile.PERFECT.withDelay(150, 5).withLoss(0.02).withRateLimit(450_000, 96_000);
        LinkProfile backward = LinkProfile.PERFECT.withDelay(150, 5).withLoss(0.02);
        KcpConfig base = KcpConfig.fast3().withWindows(512, 512);

        Transfer reference = new Transfer(SEED, base.withDeclaredRate(RATE), forward, backward, 1 << 20);
        reference.run(0, e -> assertFalse(e.declareRate(RATE), "already declared at this rate"));
        Transfer switched = new Transfer(SEED, base.withCongestion(from), forward, backward, 1 << 20);
        switched.run(0, e -> assertTrue(e.declareRate(RATE), "a switch from " + from));

        assertTrue(reference.finished() && switched.finished(), "seed " + SEED + ": " + reference + " / " + switched);
        assertEquals(reference.a.config(), switched.a.config(), "seed " + SEED);
        for (int i = 0; i < Math.min(reference.outputs.size(), switched.outputs.size()); i++) {
            Output r = reference.outputs.get(i);
            Output s = switched.outputs.get(i);
            assertTrue(r.at() == s.at() && Arrays.equals(r.packet(), s.packet()), "seed " + SEED + ": output " + i
                    + " differs from the engine declared from the start: " + s + " instead of " + r);
        }
        assertEquals(reference.outputs.size(), switched.outputs.size(), "seed " + SEED);
        assertEquals(reference.a.stats(), switched.a.stats(), "seed " + SEED);
    }

    @ParameterizedTest(name = "from {0}")
    @EnumSource(value = Congestion.class, names = {"OFF", "CLASSIC", "RATE"})
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void declaringWithSegmentsInFlightPacesFromThenOnAndLosesNothing(Congestion from) {
        // 4 MB/s bottleneck, 60 ms round trip, 1 % loss both ways: before the switch A sends well above RATE.
        LinkProfile forward = LinkProfile.PERFECT.withDelay(30, 2).withLoss(0.01).withRateLimit(4_000_000, 256_000);
        LinkProfile backward = LinkProfile.PERFECT.withDelay(30, 2).withLoss(0.01);
        long switchAt = 1_000;
        Transfer t = new Transfer(SEED, KcpConfig.fast3().withWindows(1024, 1024).withCongestion(from), forward,
                backward, 5 << 20);
        KcpStats[] around = new KcpStats[2];
        int[] inFlightAtSwitch = new int[1];
        t.run(switchAt, e -> {
            around[0] = e.stats();
            inFlightAtSwitch[0] = e.waitingSegments();
            assertTrue(e.declareRate(RATE));
            around[1] = e.stats();
            assertFalse(e.declareRate(RATE), "the same rate again changes nothing");
            assertEquals(around[1], e.stats(), "the same rate again changes nothing");
        });
        String why = "seed " + SEED + ", from " + from + ": " + t;
        assertTrue(t.finished(), "every byte, in order, exactly once: " + why);
        assertTrue(inFlightAtSwitch[0] > 0, "the switch must happen mid-transfer: " + why);
        assertTrue(t.pushBytesBetween(0, switchAt) > RATE * switchAt / 1000,
                "before the switch A sent " + t.pushBytesBetween(0, switchAt) + " B, above the rate to come: " + why);

        KcpStats before = around[0];
        KcpStats after = around[1];
        assertEquals(RATE, after.pacingRate(), why);
        assertEquals(Congestion.DECLARED, t.a.config().congestion(), why);
        assertEquals(RATE, t.a.config().declaredBytesPerSecond(), why);
        assertEquals(before.srttMillis(), after.srttMillis(), "the round-trip estimate carries over: " + why);
        // The declared controller starts from the engine's smoothed RTT, not from its 100 ms assumption.
        long windowBytes = DeclaredRateController.WINDOW_RTTS * RATE * after.srttMillis() / 1000;
        int window = (int) Math.min(Math.ceilDiv(windowBytes, t.a.config().mtu())
                + DeclaredRateController.FLOOR_SEGMENTS, t.a.config().sendWindow());
        assertEquals(window, after.congestionWindow(), why);
        // The patient timeouts of a congestion-controlled sender: at least srtt + srtt / 2.
        int srtt = after.srttMillis();
        int patient = Math.clamp(srtt + Math.max(Math.max(t.a.config().intervalMillis(), 4 * after.rttVarMillis()),
                srtt / 2), RttEstimator.MIN_RTO_NODELAY, RttEstimator.MAX_RTO);
        assertEquals(patient, after.rtoMillis(), why);

        // From a second after the switch on, A offers RATE, retransmissions included, and no more.
        long from1 = switchAt + 1_000;
        long to = Math.min(from1 + 2_000, t.lastPushAt());
        long offered = t.pushBytesBetween(from1, to);
        long budget = RATE * (to - from1) / 1000;
        long burst = Math.max((long) Pacer.BURST_SEGMENTS * t.a.config().mtu(), RATE * Pacer.BURST_MILLIS / 1000);
        assertTrue(to - from1 >= 1_000, "the transfer outlasts the measurement: " + why);
        assertTrue(offered <= budget + burst, offered + " B offered in " + (to - from1) + " ms: " + why);
        assertTrue(offered >= budget * 9 / 10, offered + " B offered in " + (to - from1) + " ms: " + why);
    }

    @Test
    void segmentsAlreadyInFlightWaitOutThePatientTimeout() {
        // Without congestion control twenty segments leave at once, each with the 200 ms initial RTO. After the
        // switch the RTO is the patient 1 s, and first transmissions wait that out as in an engine declared from the
        // start; an engine left as it was resends them all at 200 ms.
        PacketRecorder switchedOut = new PacketRecorder();
        PacketRecorder unchangedOut = new PacketRecorder();
        KcpEngine switched = new KcpEngine(CONV, KcpConfig.fast3().withDuplicateBelow(0), switchedOut);
        KcpEngine unchanged = new KcpEngine(CONV, KcpConfig.fast3().withDuplicateBelow(0), unchangedOut);
        int mss = switched.config().mss();
        for (KcpEngine e : List.of(switched, unchanged)) {
            e.send(new byte[20 * mss], 0, 20 * mss);
            e.flush(0);
        }
        assertEquals(20, switchedOut.segments(KcpWire.CMD_PUSH).size(), "all in flight before the switch");
        assertTrue(switched.declareRate(RATE));
        for (long now = 1; now < 1_000; now = Math.max(now + 1, Math.min(switched.nextUpdate(now), 999))) {
            switched.update(now);
            unchanged.update(now);
        }
        assertEquals(0, switched.stats().retransmits(), "nothing resent before the patient RTO");
        assertTrue(unchanged.stats().retransmits() >= 20, "the unswitched engine's 200 ms RTO expired");
        switched.update(1_000);
        assertTrue(switched.stats().retransmits() > 0, "resent once the patient RTO expired");
        assertTrue(switched.stats().retransmits() <= Pacer.BURST_SEGMENTS, "and paced: "
                + switched.stats().retransmits());
    }

    @Test
    void sameRateIsANoOpAndANewOneTakesOver() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withDeclaredRate(RATE), (p, n) -> { });
        assertFalse(e.declareRate(RATE));
        assertTrue(e.declareRate(2 * RATE));
        assertEquals(2 * RATE, e.stats().pacingRate());
        assertEquals(2 * RATE, e.config().declaredBytesPerSecond());
        assertFalse(e.declareRate(2 * RATE));
        assertTrue(e.declareRate(RATE));
        assertEquals(RATE, e.stats().pacingRate());
    }

    @Test
    void anUnpacedEngineTakesThePatientInitialRto() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3(), (p, n) -> { });
        assertEquals(RttEstimator.INITIAL_RTO, e.stats().rtoMillis());
        assertEquals(0, e.stats().pacingRate());
        assertTrue(e.declareRate(RATE));
        assertEquals(RttEstimator.INITIAL_RTO_PACED, e.stats().rtoMillis());
        assertEquals(RATE, e.stats().pacingRate());
    }

    @Test
    void ratesOutOfRangeAreRefusedAndChangeNothing() {
        KcpEngine e = new KcpEngine(CONV, KcpConfig.fast3().withCongestion(Congestion.RATE), (p, n) -> { });
        KcpConfig before = e.config();
        for (long bad : new long[] {0, -1, KcpConfig.MAX_DECLARED_BYTES_PER_SECOND + 1}) {
            assertThrows(IllegalArgumentException.class, () -> e.declareRate(bad), "rate " + bad);
        }
        assertEquals(before, e.config());
        assertTrue(e.declareRate(KcpConfig.MAX_DECLARED_BYTES_PER_SECOND), "the engine is still usable");
    }

    @Test
    void declaringFromInsideTheOutputIsRefused() {
        KcpEngine[] self = new KcpEngine[1];
        List<Throwable> thrown = new ArrayList<>();
        self[0] = new KcpEngine(CONV, KcpConfig.fast3(), (p, n) -> {
            try {
                self[0].declareRate(RATE);
            } catch (IllegalStateException expected) {
                thrown.add(expected);
            }
        });
        self[0].send(new byte[10], 0, 10);
        self[0].flush(0);
        assertFalse(thrown.isEmpty(), "the engine is not re-entrant, declareRate included");
        assertEquals(Congestion.OFF, self[0].config().congestion());
    }

    /** One packet A handed to its output, and when. */
    private record Output(long at, byte[] packet) {
        @Override
        public String toString() {
            return "[" + packet.length + " B at " + at + " ms: " + WireSegment.decode(packet, 0, packet.length) + "]";
        }
    }

    /**
     * A→B bulk transfer: A's application writes a seeded stream as fast as {@code send} takes it, B reads and checks
     * every byte. At {@code actAt} (before anything else that millisecond) the test acts on A's engine. Deterministic.
     */
    private static final class Transfer {
        private static final int CHUNK = 64 * 1024;
        private static final long MAX_MILLIS = 120_000;
        private final FakeClock clock = new FakeClock(0);
        private final SimulatedPath path;
        private final long total;
        private final long streamSeed;
        private final byte[] buf = new byte[CHUNK];
        final KcpEngine a;
        final KcpEngine b;
        final List<Output> outputs = new ArrayList<>();
        private long sent;
        private long received;

        Transfer(long seed, KcpConfig senderConfig, LinkProfile forward, LinkProfile backward, long bytes) {
            SplittableRandom random = new SplittableRandom(seed);
            this.path = new SimulatedPath(forward, backward, random.split());
            this.streamSeed = random.nextLong();
            this.total = bytes;
            this.a = new KcpEngine(CONV, senderConfig, (p, n) -> {
                outputs.add(new Output(clock.nowMillis(), Arrays.copyOf(p, n)));
                path.aToB().send(p, 0, n, clock.nowMillis());
            });
            this.b = new KcpEngine(CONV, KcpConfig.fast3().withWindows(1024, 1024),
                    (p, n) -> path.bToA().send(p, 0, n, clock.nowMillis()));
        }

        void run(long actAt, Consumer<KcpEngine> act) {
            boolean acted = false;
            long now = 0;
            while (now <= MAX_MILLIS) {
                if (!acted && now >= actAt) {
                    act.accept(a);
                    acted = true;
                }
                step(now);
                if (finished()) {
                    return;
                }
                long next = Math.min(path.nextDeliveryTime(), Math.min(a.nextUpdate(now), b.nextUpdate(now)));
                if (!acted) {
                    next = Math.min(next, actAt);
                }
                if (next <= now) {
                    next = path.nextDeliveryTime() <= now ? now : now + 1;
                }
                clock.advanceTo(next);
                now = next;
            }
        }

        boolean finished() {
            return received == total && a.waitingSegments() == 0;
        }

        private void step(long now) {
            path.aToB().deliverDue(now, (p, due) -> input(b, p, now));
            path.bToA().deliverDue(now, (p, due) -> input(a, p, now));
            for (int n; (n = b.receive(buf, 0, buf.length)) > 0; ) {
                if (received + n > total) {
                    throw new AssertionError("B got more than was sent: " + this);
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] != LossyLinkDriver.streamByte(streamSeed, received + i)) {
                        throw new AssertionError("byte " + (received + i) + " is wrong: " + this);
                    }
                }
                received += n;
            }
            boolean pushed = false;
            while (sent < total) {
                int want = (int) Math.min(CHUNK, total - sent);
                for (int i = 0; i < want; i++) {
                    buf[i] = LossyLinkDriver.streamByte(streamSeed, sent + i);
                }
                int n = a.send(buf, 0, want);
                if (n == 0) {
                    break;
                }
                sent += n;
                pushed = true;
            }
            if (pushed) {
                a.flush(now);
            }
            if (a.nextUpdate(now) <= now) {
                a.update(now);
            }
            if (b.nextUpdate(now) <= now) {
                b.update(now);
            }
        }

        private void input(KcpEngine e, byte[] p, long now) {
            if (!e.input(p, 0, p.length, now)) {
                throw new AssertionError("input refused a packet the link delivered: " + this);
            }
        }

        /** Wire bytes (header and payload) of the PUSH segments A output in [from, to). */
        long pushBytesBetween(long from, long to) {
            long bytes = 0;
            for (Output o : outputs) {
                if (o.at() >= from && o.at() < to) {
                    for (WireSegment s : WireSegment.decode(o.packet(), 0, o.packet().length)) {
                        if (s.cmd() == KcpWire.CMD_PUSH) {
                            bytes += KcpWire.HEADER_BYTES + s.payload().length;
                        }
                    }
                }
            }
            return bytes;
        }

        long lastPushAt() {
            long last = 0;
            for (Output o : outputs) {
                for (WireSegment s : WireSegment.decode(o.packet(), 0, o.packet().length)) {
                    if (s.cmd() == KcpWire.CMD_PUSH) {
                        last = o.at();
                    }
                }
            }
            return last;
        }

        @Override
        public String toString() {
            return "at " + clock.nowMillis() + " ms, B got " + received + "/" + total + " B, " + path + ", A "
                    + a.config() + " " + a.stats() + "; A→B " + path.aToB().stats() + "; B→A " + path.bToA().stats();
        }
    }
}
