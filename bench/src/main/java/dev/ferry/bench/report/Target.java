package dev.ferry.bench.report;

import java.util.List;
import java.util.function.Predicate;

/**
 * One of issue 6's targets for ferry over kcp: where it applies, the figure it judges (a {@link Spread} over the
 * rounds, whose median is compared) and the limit. {@link #ISSUE_6} lists them.
 */
public record Target(String name, Predicate<Cell> appliesTo, Figure figure, double limit, boolean atLeast) {

    /** The figure judged, for one system in one cell. */
    @FunctionalInterface
    public interface Figure {
        Spread of(Results results, Cell cell, String system);
    }

    /** The systems the runner names this way are the references of the goodput targets. */
    public static final String KCPTUN_FAST3 = "kcptun-fast3";
    public static final String TCP_BBR = "tcp-bbr";

    public static final List<Target> ISSUE_6 = List.of(
            new Target("goodput ≥ 1.5 × " + KCPTUN_FAST3 + " (loss 5 %, 10 %)", Target::fiveOrTen,
                    (r, c, s) -> r.ratio(c, s, KCPTUN_FAST3, Metric.GOODPUT), 1.5, true),
            new Target("goodput ≥ " + TCP_BBR + " (loss 5 %, 10 %)", Target::fiveOrTen,
                    (r, c, s) -> r.ratio(c, s, TCP_BBR, Metric.GOODPUT), 1.0, true),
            new Target("goodput ≥ 0.9 × " + TCP_BBR + " (loss 0 %)", c -> c.hasLossPercent(0),
                    (r, c, s) -> r.ratio(c, s, TCP_BBR, Metric.GOODPUT), 0.9, true),
            new Target("wire ÷ payload, both directions, ≤ 1.25 (loss 5 %)", c -> c.hasLossPercent(5),
                    (r, c, s) -> r.spread(c, s, Metric.WIRE_TOTAL), 1.25, false),
            new Target("64-byte RPC p99 ≤ 1.5 × RTT (loss 5 %)", c -> c.hasLossPercent(5),
                    (r, c, s) -> r.overRtt(c, s, Metric.RPC_P99), 1.5, false),
            new Target("TTFB of a new connection, p50, ≤ 1.2 × RTT (every cell)", c -> true,
                    (r, c, s) -> r.overRtt(c, s, Metric.TTFB_P50), 1.2, false));

    /** Whether a median meets the limit; NaN (nothing measured) never does. */
    public boolean met(double median) {
        if (Double.isNaN(median)) {
            return false;
        }
        return atLeast ? median >= limit : median <= limit;
    }

    private static boolean fiveOrTen(Cell c) {
        return c.hasLossPercent(5) || c.hasLossPercent(10);
    }
}
