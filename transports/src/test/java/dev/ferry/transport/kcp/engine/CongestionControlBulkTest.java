package dev.ferry.transport.kcp.engine;

import dev.ferry.transport.sim.GilbertElliott;
import dev.ferry.transport.sim.LinkProfile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Congestion control against a 20 Mbit/s bottleneck (2.5 MB/s, a tail-drop queue after it, then random loss), in
 * simulated time: one bulk transfer A→B per case, every byte checked (exactly once, in order) by
 * {@link BulkTransferDriver}. What issue 3 asks of {@link Congestion#RATE}: fill the link despite random loss,
 * without wasting it; of {@link Congestion#DECLARED}: the declared rate and no more; and it shows that
 * {@link Congestion#OFF} (kcptun's presets) and {@link Congestion#CLASSIC} fail exactly there, so the measurements
 * can tell good from bad.
 *
 * <p>Goodput is payload over the time until B has the last byte, slow start and tail included; "steady" goodput is
 * measured while B goes from 2 to 9 tenths of the stream. Both are compared with capacity x (1 - loss), the most
 * any sender gets through a link that loses that share after the bottleneck (the KCP header costs a further 1.8 %).
 * Wire bytes are everything offered to both links (data, retransmissions, acks) per payload byte.
 *
 * <p>Seeded: {@code -Dferry.seed=N} reruns every case with seed N; failure messages carry the seed, the config and
 * the path, and each run prints one line. {@link CongestionComparisonTable} prints all controllers on all paths.
 */
class CongestionControlBulkTest {
    static final long SEED = Long.getLong("ferry.seed", 3_2026_1122L);
    /**
     * Touched first: initialising {@code GilbertElliott} before {@code LinkProfile} trips over the two classes'
     * static initialisers referring to each other (LinkProfile.PERFECT would get a null burst model).
     */
    static final LinkProfile PERFECT = LinkProfile.PERFECT;
    /** 20 Mbit/s. */
    static final long CAPACITY = 2_500_000;
    /** About half the bandwidth-delay product at 50 ms, an eighth of it at 200 ms. */
    static final int SHALLOW_QUEUE = 64 * 1024;
    /** Eight times the bandwidth-delay product at 50 ms, twice it at 200 ms. */
    static final int DEEP_QUEUE = 1024 * 1024;
    /** About 4.8 % of packets lost, in runs of 4 on average. */
    static final GilbertElliott BURST = GilbertElliott.gilbert(0.0125, 0.25);
    private static final long SIMULATED_LIMIT_MILLIS = 60_000;

    /** fast3's timers with windows that hold twice the bandwidth-delay product and what loss leaves unacked. */
    static KcpConfig config(Congestion c, int rttMillis) {
        int window = rttMillis > 100 ? 2048 : 1024;
        KcpConfig base = KcpConfig.fast3().withWindows(window, window);
        return c == Congestion.DECLARED ? base.withDeclaredRate(CAPACITY) : base.withCongestion(c);
    }

    /** 8 MiB at 50 ms, 16 MiB at 200 ms: several seconds of transfer after a startup of about 5 round trips. */
    static long bytesFor(int rttMillis) {
        return rttMillis > 100 ? 16L << 20 : 8L << 20;
    }

    static LinkProfile forward(int rttMillis, int queue, double loss) {
        return PERFECT.withDelay(rttMillis / 2, 0).withRateLimit(CAPACITY, queue).withLoss(loss);
    }

    /** The ack path: same delay and loss, no bottleneck (acks are small). */
    static LinkProfile backward(int rttMillis, double loss) {
        return PERFECT.withDelay(rttMillis / 2, 0).withLoss(loss);
    }

    static List<Arguments> rttAndLoss() {
        List<Arguments> out = new ArrayList<>();
        for (int rtt : new int[] {50, 200}) {
            for (double loss : new double[] {0, 0.01, 0.05, 0.10}) {
                out.add(Arguments.of(rtt, loss));
            }
        }
        return out;
    }

    /**
     * Thresholds, from runs of the default seed with margin: at 50 ms RATE delivers 92-95 % of capacity x (1 - loss)
     * over the whole 8 MiB; at 200 ms 82-86 % overall, because the startup needs about a second of the 7-8 s, and
     * 92-101 % steady, which is what a long transfer sees. A sender pacing at the delivery rate alone (BBR's
     * estimate, no loss compensation) gets (1 - loss) of that, 90 % at 10 % loss, and fails the 50 ms bound there. Wire bytes: 1 + the header and acks (about 4 %) + about 1.5 x the loss rate
     * (the loss itself, acks lost together with their repeat, the startup's overshoot); 1.25 at 5 % is issue 3's
     * target. Queue drops: the startup overshoots into the queue once, and at 200 ms each up-probe (a quarter of
     * the bandwidth-delay product, twice the queue) overflows a little (measured 1.1-1.4 % at 50 ms, 3.3-4.4 % at
     * 200 ms).
     */
    @ParameterizedTest(name = "RTT {0} ms, loss {1}")
    @MethodSource("rttAndLoss")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void rateFillsTheLinkDespiteRandomLoss(int rtt, double loss) {
        Run run = run(Congestion.RATE, rtt, forward(rtt, SHALLOW_QUEUE, loss), backward(rtt, loss));
        double share = rtt > 100 ? 0.75 : 0.90;
        run.assertGoodput(share, loss);
        if (rtt > 100) {
            run.assertSteadyGoodput(0.85, loss);
        }
        run.assertWireAtMost(Math.min(1.12 + 1.5 * loss, loss <= 0.05 ? 1.25 : 2));
        run.assertQueueDropsAtMost(rtt > 100 ? 0.06 : 0.02);
    }

    @ParameterizedTest(name = "RTT {0} ms")
    @ValueSource(ints = {50, 200})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void rateRidesOutBurstLoss(int rtt) {
        double loss = BURST.meanLossRate();
        Run run = run(Congestion.RATE, rtt, forward(rtt, SHALLOW_QUEUE, 0).withBurstLoss(BURST), backward(rtt, 0));
        run.assertGoodput(rtt > 100 ? 0.75 : 0.90, loss);
        run.assertWireAtMost(1.25);
        run.assertQueueDropsAtMost(rtt > 100 ? 0.06 : 0.02);
    }

    /**
     * A deep queue (twice to eight times the bandwidth-delay product) is where loss-based senders build delay: the
     * rate controller must fill the link while keeping the queue to a small part of it, on average under a fifth of
     * the bandwidth-delay product (measured: 13-15 KB of 125 KB at 50 ms, 30-39 KB of 500 KB at 200 ms; a sender
     * without congestion control keeps 450-510 KB there, see {@link #offFillsADeepQueueAndWastesTheLink}).
     */
    @ParameterizedTest(name = "RTT {0} ms")
    @ValueSource(ints = {50, 200})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void rateKeepsADeepQueueShort(int rtt) {
        for (double loss : new double[] {0, 0.05}) {
            Run run = run(Congestion.RATE, rtt, forward(rtt, DEEP_QUEUE, loss), backward(rtt, loss));
            run.assertGoodput(rtt > 100 ? 0.80 : 0.90, loss);
            run.assertQueueDropsAtMost(0);
            long bdp = CAPACITY * rtt / 1000;
            assertTrue(run.result.meanQueueBytes() <= bdp / 5.0, "mean queue " + run.result.meanQueueBytes()
                    + " B, more than a fifth of the " + bdp + " B bandwidth-delay product: " + run.context);
        }
    }

    /**
     * DECLARED at the link's true rate: at least 90 % of capacity x (1 - loss), no queue drops, and never more on the
     * wire than declared: in any 1000 ms A offers at most the rate plus the pacer's burst allowance and one segment.
     * At 200 ms and 10 % loss the tail (lost retransmissions of the last segments, each waiting out an RTO) costs
     * more than a tenth of an 8 s transfer, so there the steady goodput carries the 90 %.
     */
    @ParameterizedTest(name = "RTT {0} ms, loss {1}")
    @MethodSource("rttAndLoss")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void declaredRateFillsTheLinkAndNeverExceedsIt(int rtt, double loss) {
        Run run = run(Congestion.DECLARED, rtt, forward(rtt, SHALLOW_QUEUE, loss), backward(rtt, loss));
        if (rtt > 100 && loss >= 0.10) {
            run.assertGoodput(0.85, loss);
            run.assertSteadyGoodput(0.90, loss);
        } else {
            run.assertGoodput(0.90, loss);
        }
        run.assertQueueDropsAtMost(0);
        long allowance = Math.max(Pacer.BURST_SEGMENTS * 1350L, CAPACITY * Pacer.BURST_MILLIS / 1000) + 1350;
        assertTrue(run.result.maxOfferedInOneSecond() <= CAPACITY + allowance, "offered "
                + run.result.maxOfferedInOneSecond() + " B within one second, declared " + CAPACITY + " B/s: "
                + run.context);
    }

    /**
     * The waste this work is about: kcptun's presets (no congestion control, 1024-segment windows) against a
     * bottleneck whose queue holds half the bandwidth-delay product. Window-sized bursts overflow the queue, the
     * losses time out, and retransmissions without any rate limit overflow it again: most of what is sent dies in
     * the queue. RATE on the same path wastes next to nothing. (Cut off after 20 s of simulated time.)
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void offWastesAShallowQueuedLinkThatRateUsesWell() {
        int rtt = 50;
        Run off = run(Congestion.OFF, rtt, forward(rtt, SHALLOW_QUEUE, 0.05), backward(rtt, 0.05), 4L << 20, 20_000);
        Run rate = run(Congestion.RATE, rtt, forward(rtt, SHALLOW_QUEUE, 0.05), backward(rtt, 0.05), 4L << 20,
                20_000);
        assertTrue(off.result.wirePerPayload() > 2 * rate.result.wirePerPayload(), "OFF should waste far more than "
                + "RATE: " + off.context + " vs " + rate.context);
        assertTrue(off.result.queueDropShare() > 0.3, "OFF's bursts should overflow the queue: " + off.context);
        assertTrue(off.result.goodput() < 0.5 * rate.result.goodput(), off.context + " vs " + rate.context);
    }

    /**
     * With a queue deep enough not to overflow at once, OFF does move data, but its windows keep the queue full
     * (a few hundred ms of delay), the overflow is still retransmitted blindly, and it pays some 40-110 % more wire
     * bytes than the payload, against RATE's few percent.
     */
    @ParameterizedTest(name = "RTT {0} ms")
    @ValueSource(ints = {50, 200})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void offFillsADeepQueueAndWastesTheLink(int rtt) {
        Run off = run(Congestion.OFF, rtt, forward(rtt, DEEP_QUEUE, 0.05), backward(rtt, 0.05));
        Run rate = run(Congestion.RATE, rtt, forward(rtt, DEEP_QUEUE, 0.05), backward(rtt, 0.05));
        assertTrue(off.result.wirePerPayload() > rate.result.wirePerPayload() + 0.2, off.context + " vs "
                + rate.context);
        assertTrue(off.result.meanQueueBytes() > 5 * rate.result.meanQueueBytes(), off.context + " vs "
                + rate.context);
    }

    /** The complaint about classic KCP congestion control: 5 % random loss halves its window again and again. */
    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void classicCollapsesUnderRandomLoss() {
        int rtt = 50;
        Run classic = run(Congestion.CLASSIC, rtt, forward(rtt, SHALLOW_QUEUE, 0.05), backward(rtt, 0.05), 2L << 20,
                20_000);
        assertTrue(classic.result.goodput() < 0.3 * CAPACITY, "CLASSIC kept up under 5 % loss, so this comparison "
                + "measures nothing: " + classic.context);
    }

    /**
     * Acks held for company (after each batch of reads, a few together, held up to 5 ms) against acks after each
     * batch, as the UDP transport sends them: far fewer packets on the ack path, and no more bytes on the wire in all
     * ({@code ipWirePerPayload} counts the 61 bytes of sealing, UDP and IP each packet carries), for no goodput.
     */
    @ParameterizedTest(name = "RTT {0} ms")
    @ValueSource(ints = {50, 200})
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void heldAcksSaveHeaderBytes(int rtt) {
        double loss = 0.05;
        KcpConfig batch = config(Congestion.RATE, rtt).withImmediateAcks(false);
        Run each = run(batch, rtt, forward(rtt, SHALLOW_QUEUE, loss), backward(rtt, loss));
        Run held = run(batch.withAckDelay(5), rtt, forward(rtt, SHALLOW_QUEUE, loss), backward(rtt, loss));
        String both = "held acks: " + held.context + " vs each batch: " + each.context;
        // This simulator's batches are a millisecond of arrivals, already about two packets at 20 Mbit/s; a real
        // socket's are mostly one, so real links save more than this.
        assertTrue(held.result.backward().packetsOffered() < 0.8 * each.result.backward().packetsOffered(), both);
        assertTrue(held.result.ipWirePerPayload() <= each.result.ipWirePerPayload() + 0.005, both);
        assertTrue(held.result.goodput() >= 0.95 * each.result.goodput(), both);
    }

    // ---- running ----

    private static Run run(Congestion c, int rtt, LinkProfile forward, LinkProfile backward) {
        Run run = run(c, rtt, forward, backward, bytesFor(rtt), SIMULATED_LIMIT_MILLIS);
        assertTrue(run.result.finished(), "did not finish within " + SIMULATED_LIMIT_MILLIS + " ms: " + run.context);
        return run;
    }

    private static Run run(KcpConfig config, int rtt, LinkProfile forward, LinkProfile backward) {
        Run run = run(config, rtt, forward, backward, bytesFor(rtt), SIMULATED_LIMIT_MILLIS);
        assertTrue(run.result.finished(), "did not finish within " + SIMULATED_LIMIT_MILLIS + " ms: " + run.context);
        return run;
    }

    private static Run run(Congestion c, int rtt, LinkProfile forward, LinkProfile backward, long bytes,
                           long limitMillis) {
        return run(config(c, rtt), rtt, forward, backward, bytes, limitMillis);
    }

    private static Run run(KcpConfig config, int rtt, LinkProfile forward, LinkProfile backward, long bytes,
                           long limitMillis) {
        Congestion c = config.congestion();
        BulkTransferDriver driver = new BulkTransferDriver(SEED, config, forward, backward, bytes);
        long wall = System.nanoTime();
        BulkTransferDriver.Result r = driver.run(limitMillis);
        wall = (System.nanoTime() - wall) / 1_000_000;
        String context = c + " " + r.summary(CAPACITY) + "; " + driver.describe();
        System.out.println("CongestionControlBulkTest: " + c + ", RTT " + rtt + " ms, " + forward + ": "
                + r.summary(CAPACITY) + ", " + wall + " ms wall");
        return new Run(r, context);
    }

    private record Run(BulkTransferDriver.Result result, String context) {
        void assertGoodput(double share, double loss) {
            double floor = share * CAPACITY * (1 - loss);
            assertTrue(result.goodput() >= floor, String.format("goodput %.0f B/s below %.0f %% of capacity x (1 - "
                    + "loss) = %.0f B/s: %s", result.goodput(), 100 * share, floor, context));
        }

        void assertSteadyGoodput(double share, double loss) {
            double floor = share * CAPACITY * (1 - loss);
            assertTrue(result.steadyGoodput() >= floor, String.format("steady goodput %.0f B/s below %.0f %% of "
                    + "capacity x (1 - loss) = %.0f B/s: %s", result.steadyGoodput(), 100 * share, floor, context));
        }

        void assertWireAtMost(double ratio) {
            assertTrue(result.wirePerPayload() <= ratio, String.format("%.3f wire bytes per payload byte, more "
                    + "than %.3f: %s", result.wirePerPayload(), ratio, context));
        }

        void assertQueueDropsAtMost(double share) {
            assertTrue(result.queueDropShare() <= share, String.format("%.2f %% of packets dropped by the "
                    + "bottleneck queue, more than %.2f %%: %s", 100 * result.queueDropShare(), 100 * share, context));
        }
    }
}
