package dev.ferry.transport.kcp.engine;

import dev.ferry.transport.sim.GilbertElliott;
import dev.ferry.transport.sim.LinkProfile;
import dev.ferry.transport.sim.LinkStats;
import dev.ferry.transport.sim.SimulatedPath;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two engines over a simulated lossy path, bulk data both ways at once; every byte must arrive exactly once and in
 * order, whatever the path does. Each scenario runs in every {@link Mode}.
 *
 * <p>Seeds are fixed so that runs are reproducible; {@code -Dferry.seed=N} runs every case with seed N. Every failure
 * message carries the seed, the engine config and the path profile, and each run prints one line saying what ran.
 */
class KcpEngineLossyLinkTest {
    private static final long SEED = Long.getLong("ferry.seed", 20_251_122L);
    private static final int BYTES_PER_DIRECTION = 512 * 1024;

    /** Engine settings every scenario runs with. */
    enum Mode {
        FAST3(KcpConfig::fast3),
        NORMAL(KcpConfig::normal),
        FAST3_WITH_CONGESTION_CONTROL(() -> KcpConfig.fast3().withCongestionControl(true)),
        NORMAL_WITH_CONGESTION_CONTROL(() -> KcpConfig.normal().withCongestionControl(true)),
        FAST3_WITH_RATE_CONTROL(() -> KcpConfig.fast3().withCongestion(Congestion.RATE)),
        /** Acks a few together, held up to 5 ms for company ({@link KcpConfig#ackDelayMillis}). */
        FAST3_RATE_HELD_ACKS(() -> KcpConfig.fast3().withCongestion(Congestion.RATE).withImmediateAcks(false)
                .withAckDelay(5));

        private final Supplier<KcpConfig> config;

        Mode(Supplier<KcpConfig> config) {
            this.config = config;
        }

        KcpConfig config() {
            return config.get();
        }
    }

    /** 20 ms each way: a 40 ms round trip. */
    private static final LinkProfile RTT_40 = LinkProfile.PERFECT.withDelay(20, 0);

    static List<Arguments> lossRates() {
        List<Arguments> out = new ArrayList<>();
        for (double loss : new double[] {0, 0.01, 0.05, 0.10, 0.20}) {
            for (Mode mode : Mode.values()) {
                out.add(Arguments.of(loss, mode));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "loss {0}, {1}")
    @MethodSource("lossRates")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void randomLoss(double loss, Mode mode) {
        run(mode, RTT_40.withLoss(loss));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void burstLoss(Mode mode) {
        // About 6 % of packets lost, in runs of 4 on average: the later acks fast resend counts on are often lost too.
        run(mode, LinkProfile.PERFECT.withDelay(25, 0).withBurstLoss(GilbertElliott.gilbert(0.016, 0.25)));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void reordering(Mode mode) {
        run(mode, RTT_40.withReordering(0.05, 15));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void duplication(Mode mode) {
        run(mode, RTT_40.withDuplication(0.10));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void delayAndJitter(Mode mode) {
        run(mode, LinkProfile.PERFECT.withDelay(40, 20)); // round trip 80..120 ms
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void rateCapWithSmallQueue(Mode mode) {
        // 2 MB/s bottleneck, 24 KB of buffer (under a third of the 80 KB bandwidth-delay product) each way.
        run(mode, RTT_40.withRateLimit(2_000_000, 24_000));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void everythingAtOnce(Mode mode) {
        LinkProfile bad = LinkProfile.PERFECT.withDelay(30, 10).withLoss(0.03)
                .withBurstLoss(GilbertElliott.gilbert(0.005, 0.3)).withReordering(0.02, 20).withDuplication(0.02)
                .withRateLimit(4_000_000, 64_000);
        run(mode, bad);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void asymmetricPath(Mode mode) {
        // A→B heavy loss and slow, B→A clean and fast: acks and data see very different paths.
        LinkProfile forward = LinkProfile.PERFECT.withDelay(45, 5).withLoss(0.15).withRateLimit(1_500_000, 30_000);
        LinkProfile backward = LinkProfile.PERFECT.withDelay(5, 0);
        run(mode, new SimulatedPath(forward, backward, new SplittableRandom(SEED)));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void smallWindowsInSteadyState(Mode mode) {
        // 64-segment windows: a 1 MiB stream is many windows long, so sn, una and the windows wrap through their
        // buffers over and over under loss, reordering and duplication.
        LinkProfile profile = LinkProfile.PERFECT.withDelay(15, 5).withLoss(0.05).withReordering(0.02, 10)
                .withDuplication(0.02);
        runChecked(new LossyLinkDriver(SEED, mode.config().withWindows(64, 64), SimulatedPath.symmetric(profile, SEED),
                1 << 20, 0));
    }

    /**
     * Readers that stop for 2.5 s at a time (32-segment windows, 5 % loss): receive buffers fill, windows close,
     * senders probe the closed window (the engine waits 1 s before its first probe), and a reopened window must get
     * through to the sender even when the packet telling it is lost.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void stallingReaderUnderLoss(Mode mode) {
        LossyLinkDriver driver = new LossyLinkDriver(SEED, mode.config().withWindows(32, 32),
                SimulatedPath.symmetric(RTT_40.withLoss(0.05), SEED), 256 * 1024, 2500);
        LossyLinkDriver.Result r = runChecked(driver);
        for (LossyLinkDriver.SideReport side : List.of(r.a(), r.b())) {
            assertTrue(side.zeroWindowAdvertised() > 0, side.name() + "'s window never closed, so this tested nothing: "
                    + driver.describe());
        }
        // A sender that missed the zero-window news (its ack was lost) need not probe, so only ask for one in all.
        assertTrue(r.a().windowProbes() + r.b().windowProbes() > 0, "no closed window was ever probed: "
                + driver.describe());
    }

    /** Nothing lost, nothing reordered: not one segment may be sent twice, by the engine's count or on the wire. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void perfectPathNeedsNoRetransmission(Mode mode) {
        LossyLinkDriver driver = driver(mode, SimulatedPath.symmetric(RTT_40, SEED));
        LossyLinkDriver.Result r = runChecked(driver);
        for (LossyLinkDriver.SideReport side : List.of(r.a(), r.b())) {
            String ctx = side.name() + " retransmitted on a perfect path: " + driver.describe();
            assertEquals(0, side.pushRetransmissions(), ctx);
            assertEquals(0, side.stats().retransmits(), ctx);
            assertEquals(0, side.stats().fastRetransmits(), ctx);
            assertEquals(side.pushTransmissions(), side.stats().segmentsSent(), "engine's segment count vs the wire: "
                    + driver.describe());
        }
    }

    /**
     * At 5 % loss a sound engine retransmits about once per lost packet. With immediate acks a packet carries at most
     * one PUSH, or the acks for one packet; a lost PUSH needs one retransmission, and a lost ack can cost one spurious
     * fast retransmission (KCP has no selective-ack ranges: while una is held at a hole, an ack that went missing
     * looks like a loss once two later acks arrive). So retransmissions (counted on the wire) stay within 1.25 times
     * the packets the path lost, plus a little. An RTO that fires early, or fast retransmission that repeats, breaks
     * this at once.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void retransmissionsAreABoundedMultipleOfLosses(Mode mode) {
        LossyLinkDriver driver = driver(mode, SimulatedPath.symmetric(RTT_40.withLoss(0.05), SEED));
        LossyLinkDriver.Result r = runChecked(driver);
        long lostPackets = driver.aToB().packetsLost() + driver.bToA().packetsLost();
        // No duplication on this path, so PUSH segments lost = sent - delivered, per direction.
        long lostPushes = r.a().pushTransmissions() - r.b().pushDelivered()
                + r.b().pushTransmissions() - r.a().pushDelivered();
        long again = r.a().pushRetransmissions() + r.b().pushRetransmissions();
        String ctx = again + " PUSH retransmissions for " + lostPackets + " packets lost, " + lostPushes
                + " of the PUSH segments: " + driver.describe();
        assertTrue(lostPushes > 0, ctx);
        assertTrue(again <= lostPackets * 5 / 4 + 4, ctx);
        long engineCount = r.a().stats().retransmits() + r.a().stats().fastRetransmits() + r.b().stats().retransmits()
                + r.b().stats().fastRetransmits();
        assertEquals(again, engineCount, "engine's retransmission counters vs the wire: " + driver.describe());
    }

    /**
     * Jitter alone (round trip 80..120 ms, nothing lost, nothing reordered) must not make the engine think a segment
     * was lost: no retransmission of any kind. A retransmission timeout that fires here sits inside the path's own
     * delay spread, and with congestion control on it also collapses the window to one segment.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void jitterAloneCausesNoRetransmission(Mode mode) {
        LossyLinkDriver driver = driver(mode, SimulatedPath.symmetric(LinkProfile.PERFECT.withDelay(40, 20), SEED));
        LossyLinkDriver.Result r = runChecked(driver);
        for (LossyLinkDriver.SideReport side : List.of(r.a(), r.b())) {
            assertEquals(0, side.pushRetransmissions(), side.name() + " retransmitted on a lossless path ("
                    + side.stats().retransmits() + " timeouts, " + side.stats().fastRetransmits() + " fast): "
                    + driver.describe());
        }
    }

    /**
     * A bottleneck with a deep buffer (2 MB/s, 200 KB: up to 100 ms of queueing) and no random loss: the round trip
     * grows from 40 ms to as much as 140 ms as the queue fills. Every retransmission must answer a packet the queue
     * really dropped (the same allowance as {@link #retransmissionsAreABoundedMultipleOfLosses}); a timeout that fires
     * because queueing delay outran the RTO estimate resends data that was never lost.
     *
     * <p>Not claimed for fast3 with the classic window (an option, not a default): it still resends about a fifth
     * of its segments here with nothing dropped (seed 20251122: 108 timeouts, srtt 42 ms, RTO 63 ms). An open
     * defect, written down in issue 3's notes; the other modes, ferry's default among them, must pass.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = "FAST3_WITH_CONGESTION_CONTROL", mode = EnumSource.Mode.EXCLUDE)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void deepBufferCausesNoSpuriousRetransmission(Mode mode) {
        LossyLinkDriver driver = driver(mode, SimulatedPath.symmetric(RTT_40.withRateLimit(2_000_000, 200_000), SEED));
        LossyLinkDriver.Result r = runChecked(driver);
        long dropped = driver.aToB().packetsQueueDropped() + driver.bToA().packetsQueueDropped();
        long again = r.a().pushRetransmissions() + r.b().pushRetransmissions();
        assertTrue(again <= dropped * 5 / 4 + 4, again + " PUSH retransmissions for " + dropped + " packets dropped "
                + "by the queue: " + driver.describe());
    }

    /**
     * With congestion control on, a 2 MB/s bottleneck with a small queue is used well: few packets die in the queue,
     * and the transfer takes at most a few times what the bottleneck's rate alone needs.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"FAST3_WITH_CONGESTION_CONTROL", "NORMAL_WITH_CONGESTION_CONTROL",
            "FAST3_WITH_RATE_CONTROL"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void congestionControlKeepsTheBottleneckQueueFromOverflowing(Mode mode) {
        long rate = 2_000_000;
        LossyLinkDriver driver = driver(mode, SimulatedPath.symmetric(RTT_40.withRateLimit(rate, 24_000), SEED));
        LossyLinkDriver.Result r = runChecked(driver);
        for (LinkStats link : List.of(driver.aToB(), driver.bToA())) {
            assertTrue(link.packetsQueueDropped() <= 0.05 * link.packetsOffered(),
                    "more than 5 % of packets dropped by the bottleneck queue: " + driver.describe());
        }
        long idealMillis = BYTES_PER_DIRECTION * 1000L / rate + 40;
        assertTrue(r.finishedAtMillis() <= 4 * idealMillis, "took " + r.finishedAtMillis() + " ms, the bottleneck "
                + "allows " + idealMillis + " ms: " + driver.describe());
    }

    // ---- running ----

    private static void run(Mode mode, LinkProfile profile) {
        run(mode, SimulatedPath.symmetric(profile, SEED));
    }

    private static void run(Mode mode, SimulatedPath path) {
        runChecked(driver(mode, path));
    }

    private static LossyLinkDriver driver(Mode mode, SimulatedPath path) {
        return new LossyLinkDriver(SEED, mode.config(), path, BYTES_PER_DIRECTION, 0);
    }

    /** Runs to completion (the driver fails on any wrong byte) and checks the totals and the link's counters. */
    private static LossyLinkDriver.Result runChecked(LossyLinkDriver driver) {
        long wallStart = System.nanoTime();
        LossyLinkDriver.Result r = driver.run();
        long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
        System.out.println("KcpEngineLossyLinkTest: finished at " + r.finishedAtMillis() + " ms simulated, "
                + r.iterations() + " iterations, " + wallMillis + " ms wall; " + driver.describe());
        for (LossyLinkDriver.SideReport side : List.of(r.a(), r.b())) {
            assertEquals(side.toSend(), side.sent(), side.name() + " did not send everything: " + driver.describe());
            assertEquals(side.toReceive(), side.received(), side.name() + " did not receive everything: "
                    + driver.describe());
        }
        for (LinkStats link : List.of(driver.aToB(), driver.bToA())) {
            assertEquals(link.packetsOffered() - link.packetsLost() - link.packetsQueueDropped()
                    + link.packetsDuplicated(), link.packetsDelivered(), "link counters: " + driver.describe());
        }
        return r;
    }
}
