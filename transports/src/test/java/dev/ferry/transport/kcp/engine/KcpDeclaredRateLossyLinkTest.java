package dev.ferry.transport.kcp.engine;

import dev.ferry.transport.sim.GilbertElliott;
import dev.ferry.transport.sim.LinkProfile;
import dev.ferry.transport.sim.SimulatedPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Congestion#DECLARED} on the paths of {@link KcpEngineLossyLinkTest} (which runs RATE among its modes):
 * bulk data both ways at once, every byte exactly once and in order, whatever the path does. 1 MB/s declared, below
 * every bottleneck here, so these check correctness, not rate; {@link CongestionControlBulkTest} checks the rate.
 */
class KcpDeclaredRateLossyLinkTest {
    private static final long SEED = Long.getLong("ferry.seed", 20_251_122L);
    private static final int BYTES_PER_DIRECTION = 512 * 1024;
    private static final KcpConfig CONFIG = KcpConfig.fast3().withDeclaredRate(1_000_000);
    private static final LinkProfile RTT_40 = LinkProfile.PERFECT.withDelay(20, 0);

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0, 0.01, 0.05, 0.10, 0.20})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void randomLoss(double loss) {
        run(SimulatedPath.symmetric(RTT_40.withLoss(loss), SEED));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void burstLoss() {
        run(SimulatedPath.symmetric(LinkProfile.PERFECT.withDelay(25, 0)
                .withBurstLoss(GilbertElliott.gilbert(0.016, 0.25)), SEED));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void reorderingDuplicationAndJitter() {
        run(SimulatedPath.symmetric(LinkProfile.PERFECT.withDelay(30, 10).withReordering(0.05, 15)
                .withDuplication(0.05), SEED));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void everythingAtOnce() {
        run(SimulatedPath.symmetric(LinkProfile.PERFECT.withDelay(30, 10).withLoss(0.03)
                .withBurstLoss(GilbertElliott.gilbert(0.005, 0.3)).withReordering(0.02, 20).withDuplication(0.02)
                .withRateLimit(4_000_000, 64_000), SEED));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void asymmetricPath() {
        LinkProfile forward = LinkProfile.PERFECT.withDelay(45, 5).withLoss(0.15).withRateLimit(1_500_000, 30_000);
        LinkProfile backward = LinkProfile.PERFECT.withDelay(5, 0);
        run(new SimulatedPath(forward, backward, new SplittableRandom(SEED)));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void smallWindowsWrapAround() {
        LossyLinkDriver driver = new LossyLinkDriver(SEED, CONFIG.withWindows(64, 64), SimulatedPath.symmetric(
                LinkProfile.PERFECT.withDelay(15, 5).withLoss(0.05).withReordering(0.02, 10), SEED), 1 << 20, 0);
        check(driver, driver.run());
    }

    private static void run(SimulatedPath path) {
        LossyLinkDriver driver = new LossyLinkDriver(SEED, CONFIG, path, BYTES_PER_DIRECTION, 0);
        check(driver, driver.run());
    }

    private static void check(LossyLinkDriver driver, LossyLinkDriver.Result r) {
        System.out.println("KcpDeclaredRateLossyLinkTest: finished at " + r.finishedAtMillis() + " ms simulated; "
                + driver.describe());
        for (LossyLinkDriver.SideReport side : List.of(r.a(), r.b())) {
            assertEquals(side.toSend(), side.sent(), side.name() + " did not send everything: " + driver.describe());
            assertEquals(side.toReceive(), side.received(), side.name() + " did not receive everything: "
                    + driver.describe());
        }
    }
}
