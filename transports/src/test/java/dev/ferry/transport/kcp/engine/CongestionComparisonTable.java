package dev.ferry.transport.kcp.engine;

import dev.ferry.transport.sim.GilbertElliott;
import dev.ferry.transport.sim.LinkProfile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Locale;

/**
 * Prints the whole comparison (every controller on every path of {@link CongestionControlBulkTest}) as a markdown
 * table, for reports; asserts nothing. Slow (about a minute), so off unless {@code -Dferry.cc.table=true};
 * {@code -Dferry.cc.controllers=RATE,DECLARED} picks controllers, {@code -Dferry.cc.bytes=N} the transfer size
 * (16 MiB by default), {@code -Dferry.seed=N} the seed. OFF and CLASSIC runs are cut off after 60 s simulated.
 */
class CongestionComparisonTable {
    private static final long SEED = Long.getLong("ferry.seed", 3_2026_1122L);
    private static final long CAPACITY = CongestionControlBulkTest.CAPACITY;
    private static final Congestion[] CONTROLLERS = java.util.Arrays.stream(
            System.getProperty("ferry.cc.controllers", "OFF,CLASSIC,RATE,DECLARED").split(","))
            .map(Congestion::valueOf).toArray(Congestion[]::new);

    @Test
    void printTable() {
        Assumptions.assumeTrue(Boolean.getBoolean("ferry.cc.table"), "set -Dferry.cc.table=true to print the table");
        long bytes = Long.getLong("ferry.cc.bytes", 16L << 20);
        System.out.println("| controller | RTT ms | queue | loss | goodput MB/s | % of cap×(1−loss) | steady % | wire/payload "
                + "| queue drops | mean queue KB | retx (RTO+fast) | wall ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (int rtt : new int[] {50, 200}) {
            for (int queue : new int[] {CongestionControlBulkTest.SHALLOW_QUEUE, CongestionControlBulkTest.DEEP_QUEUE}) {
                for (String loss : new String[] {"0", "0.01", "0.05", "0.10", "burst"}) {
                    if (queue == CongestionControlBulkTest.DEEP_QUEUE && !loss.equals("0") && !loss.equals("0.05")) {
                        continue;
                    }
                    for (Congestion c : CONTROLLERS) {
                        row(c, rtt, queue, loss, bytes);
                    }
                }
            }
        }
    }

    private static void row(Congestion c, int rtt, int queue, String loss, long bytes) {
        KcpConfig config = CongestionControlBulkTest.config(c, rtt);
        LinkProfile forward = LinkProfile.PERFECT.withDelay(rtt / 2, 0).withRateLimit(CAPACITY, queue);
        double p;
        if (loss.equals("burst")) {
            GilbertElliott ge = CongestionControlBulkTest.BURST;
            forward = forward.withBurstLoss(ge);
            p = ge.meanLossRate();
        } else {
            p = Double.parseDouble(loss);
            forward = forward.withLoss(p);
        }
        LinkProfile backward = LinkProfile.PERFECT.withDelay(rtt / 2, 0).withLoss(loss.equals("burst") ? 0 : p);
        long wall = System.nanoTime();
        BulkTransferDriver.Result r = new BulkTransferDriver(SEED, config, forward, backward, bytes).run(60_000);
        wall = (System.nanoTime() - wall) / 1_000_000;
        System.out.println(String.format(Locale.ROOT, "| %s | %d | %d KiB | %s | %.2f%s | %.0f %% | %.0f %% | %.3f | %.2f %% | %.0f | %d+%d | %d |",
                c, rtt, queue / 1024, loss, r.goodput() / 1e6, r.finished() ? "" : " (unfinished in 60 s)", 100 * r.goodput() / (CAPACITY * (1 - p)), 100 * r.steadyGoodput() / (CAPACITY * (1 - p)),
                r.wirePerPayload(), 100 * r.queueDropShare(), r.meanQueueBytes() / 1024, r.sender().retransmits(),
                r.sender().fastRetransmits(), wall));
    }
}
