package dev.ferry.transport.kcp.engine;

import dev.ferry.transport.sim.LinkProfile;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Congestion#RATE} on a path whose round trip is shorter than the millisecond clock can tell apart (loopback,
 * a LAN: 0-2 ms) and whose capacity is high (200 MB/s, a queue deep enough that no sender here overflows it): it must
 * move a bulk transfer at least {@value #SHARE} x as fast as {@link Congestion#OFF} on the same path, in simulated
 * time. OFF is the yardstick because on such a path it is only limited by its windows.
 *
 * <p>The first round trip takes {@value #FIRST_ROUND_TRIP_MILLIS} ms (B takes nothing before then), as a real
 * session's does while the peer sets up: its rate sample is far below the path's. What failed here before: the
 * delivery-rate sampler dropped every pending sample as soon as it was long enough, so after that first one no
 * other ever formed and the estimate stayed there; and with samples every 10 ms but rounds, gain-cycle phases and
 * the window's bandwidth-delay product of 1 ms, the controller left its startup three "rounds" (3 ms) after the first
 * sample, probed in 1 ms phases that no sample could see, and held a window of 2 x bandwidth x 1 ms (see
 * {@link BbrLikeController#MIN_ROUND_MILLIS}).
 */
class LowRttThroughputTest {
    static final LinkProfile PERFECT = CongestionControlBulkTest.PERFECT;
    static final long SEED = CongestionControlBulkTest.SEED;
    static final double SHARE = 0.8;
    static final long CAPACITY = 200_000_000;
    static final int QUEUE = 4 << 20;
    static final long BYTES = 64L << 20;
    static final long FIRST_ROUND_TRIP_MILLIS = 30;

    @ParameterizedTest(name = "one-way delay {0} ms + jitter up to {1} ms")
    @CsvSource({"0, 0", "0, 1", "1, 0"})
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void rateKeepsUpWithOffOnAShortFastPath(int delayMillis, int jitterMillis) {
        LinkProfile forward = PERFECT.withDelay(delayMillis, jitterMillis).withRateLimit(CAPACITY, QUEUE);
        LinkProfile backward = PERFECT.withDelay(delayMillis, jitterMillis);
        BulkTransferDriver.Result off = run(Congestion.OFF, forward, backward);
        BulkTransferDriver.Result rate = run(Congestion.RATE, forward, backward);
        String context = "RATE " + rate.summary(CAPACITY) + " vs OFF " + off.summary(CAPACITY) + " on " + forward;
        assertTrue(off.finished() && rate.finished(), context);
        assertTrue(rate.goodput() >= SHARE * off.goodput(), String.format("RATE's goodput %.1f MB/s is below %.0f %% "
                + "of OFF's %.1f MB/s: %s", rate.goodput() / 1e6, 100 * SHARE, off.goodput() / 1e6, context));
        assertTrue(rate.forward().packetsQueueDropped() == 0, context);
    }

    private static BulkTransferDriver.Result run(Congestion c, LinkProfile forward, LinkProfile backward) {
        KcpConfig config = KcpConfig.fast3().withCongestion(c);
        BulkTransferDriver.Result r = new BulkTransferDriver(SEED, config, forward, backward, BYTES,
                FIRST_ROUND_TRIP_MILLIS).run(60_000);
        System.out.println("LowRttThroughputTest: " + c + ", " + forward + ": " + r.summary(CAPACITY));
        return r;
    }
}
