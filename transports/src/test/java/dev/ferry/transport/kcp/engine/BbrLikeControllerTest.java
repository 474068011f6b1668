package dev.ferry.transport.kcp.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rate controller's state machine, fed one synthetic round trip at a time (each call is one ack that ends a
 * round). The whole engine on a simulated bottleneck is {@link CongestionControlBulkTest}'s subject.
 */
class BbrLikeControllerTest {
    private static final int MTU = 1350;

    private final BbrLikeController c = new BbrLikeController(MTU, 0);
    private final RateSample s = new RateSample();
    private long now;
    private long delivered;
    private long lost;

    /** One round trip of {@code rtt} ms delivering at {@code rate} B/s, with a share {@code loss} of what was sent lost. */
    private void round(long rate, double loss, int rtt, long inFlightBytes) {
        now += rtt;
        long bytes = rate * rtt / 1000;
        long prior = delivered;
        delivered += bytes;
        lost += (long) (bytes * loss / (1 - loss));
        c.onRttSample(rtt, now);
        s.priorDelivered = prior;
        s.delivered = delivered;
        s.newlyDelivered = bytes;
        s.lost = lost;
        s.deliveryRate = rate;
        s.intervalMillis = rtt;
        s.inFlightBytes = inFlightBytes;
        s.inFlight = (int) (inFlightBytes / MTU);
        s.appLimited = false;
        c.onRateSample(s, now);
    }

    /** Startup at a steady 1 MB/s and 50 ms: the estimate stops growing, startup ends, the queue drains. */
    private void reachProbeBandwidth() {
        for (int i = 0; i < 4; i++) {
            round(1_000_000, 0, 50, 10 * MTU);
        }
        assertEquals(BbrLikeController.Mode.PROBE_BW, c.mode(), c.toString());
    }

    @Test
    void startupLastsWhileTheBandwidthGrows() {
        long rate = 100_000;
        for (int i = 0; i < 6; i++) {
            round(rate, 0, 50, 10 * MTU);
            rate *= 2;
            assertEquals(BbrLikeController.Mode.STARTUP, c.mode(), "round " + i + ": " + c);
            assertTrue(c.pacingRate() >= 2.8 * c.bandwidthEstimate(), c.toString());
        }
    }

    @Test
    void startupEndsAfterThreeRoundsWithoutAQuarterMoreBandwidth() {
        round(1_000_000, 0, 50, 10 * MTU);
        round(1_000_000, 0, 50, 10 * MTU);
        round(1_100_000, 0, 50, 10 * MTU);
        assertEquals(BbrLikeController.Mode.STARTUP, c.mode());
        round(1_100_000, 0, 50, 10 * MTU);
        assertEquals(BbrLikeController.Mode.PROBE_BW, c.mode(), "drained at once: little in flight");
        assertEquals(1_100_000, c.bandwidthEstimate());
        int bdpSegments = (int) Math.ceil(1_100_000 * 0.05 / MTU);
        assertTrue(c.window() >= 2 * bdpSegments && c.window() <= 2 * bdpSegments + BbrLikeController.EXTRA_SEGMENTS
                + 1, "window about 2 x BDP: " + c);
    }

    @Test
    void aStandingQueueEndsTheStartupEarly() {
        round(1_000_000, 0, 50, 10 * MTU);
        round(2_000_000, 0, 50, 10 * MTU);
        for (int i = 0; i < BbrLikeController.STARTUP_QUEUE_SAMPLES; i++) {
            c.onRttSample(50 + 20, now); // 20 ms over the minimum: more than 1/8 of it
        }
        round(2_000_000, 0, 70, 200 * MTU);
        assertEquals(BbrLikeController.Mode.DRAIN, c.mode(), c.toString());
        assertTrue(c.pacingRate() < c.bandwidthEstimate(), "draining: " + c);
    }

    @Test
    void randomLossDoesNotCutTheRateAndIsCompensated() {
        reachProbeBandwidth();
        // The bottleneck carries 1 MB/s, and 10 % is lost after it: 900 kB/s arrive.
        for (int i = 0; i < 40; i++) {
            round(900_000, 0.10, 50, 60 * MTU);
        }
        assertEquals(0.10, c.randomLoss(), 0.01, c.toString());
        long atGainOne = (long) (1_000_000 * BbrLikeController.PACING_MARGIN);
        assertTrue(c.pacingRate() >= 0.74 * atGainOne, "even the draining phase paces at 0.75 x: " + c);
        for (int i = 0; i < 8 && Math.abs(c.pacingRate() - atGainOne) > 5000; i++) {
            round(900_000, 0.10, 50, 60 * MTU);
        }
        assertEquals(atGainOne, c.pacingRate(), 5000, "a steady phase paces at the bottleneck's 1 MB/s: " + c);
        assertTrue(c.window() >= 2 * (int) (1_000_000 * 0.05 / MTU), c.toString());
    }

    @Test
    void aStandingQueueHalvesTheLossCompensation() {
        reachProbeBandwidth();
        for (int i = 0; i < 40; i++) {
            round(900_000, 0.10, 50, 60 * MTU);
        }
        double before = c.randomLoss();
        for (int i = 0; i < 12; i++) {
            round(900_000, 0.10, 60, 60 * MTU); // 10 ms over the minimum all round long
        }
        assertTrue(c.randomLoss() < before / 4, before + " -> " + c);
    }

    @Test
    void heavyLossMeansTheBottleneckGotSlower() {
        reachProbeBandwidth();
        round(1_000_000, 0, 50, 60 * MTU);
        round(1_000_000, 0, 50, 60 * MTU);
        round(500_000, 0.5, 50, 60 * MTU); // half of what was sent is lost: overflow, not chance
        round(500_000, 0.5, 50, 60 * MTU);
        assertEquals(500_000, c.bandwidthEstimate(), c.toString());
        assertTrue(c.heavyLossRounds() > 0);
    }

    @Test
    void probeRttAfterTenSecondsWithoutTheMinimum() {
        reachProbeBandwidth();
        while (now < BbrLikeController.MIN_RTT_WINDOW_MILLIS + 200) {
            round(1_000_000, 0, 60, 60 * MTU); // a standing queue: never the 50 ms minimum again
        }
        assertEquals(BbrLikeController.Mode.PROBE_RTT, c.mode(), c.toString());
        assertEquals(BbrLikeController.MIN_WINDOW, c.window());
        long entered = now;
        while (c.mode() == BbrLikeController.Mode.PROBE_RTT) {
            round(1_000_000, 0, 55, 4 * MTU);
            assertTrue(now - entered < 1000, c.toString());
        }
        assertTrue(now - entered >= BbrLikeController.PROBE_RTT_MILLIS);
        assertEquals(55, c.minRttMillis(), "the new minimum");
        assertEquals(BbrLikeController.Mode.PROBE_BW, c.mode());
        assertTrue(c.window() > BbrLikeController.MIN_WINDOW);
    }
}
