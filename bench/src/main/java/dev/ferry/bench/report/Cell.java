package dev.ferry.bench.report;

import java.util.Comparator;

/**
 * One point of the scenario grid: the link's round-trip time and its loss case. {@code loss} is the label the
 * runner used: a percentage per direction ("0", "1", "5", "10") or a named case such as "burst". Cells order by RTT,
 * then numeric losses ascending, then named cases alphabetically.
 */
public record Cell(int rttMs, String loss) implements Comparable<Cell> {
    private static final Comparator<Cell> ORDER = Comparator.comparingInt(Cell::rttMs)
            .thenComparing(Cell::loss, Cell::compareLoss);

    public Cell {
        if (rttMs <= 0) {
            throw new IllegalArgumentException("RTT must be positive: " + rttMs);
        }
        if (loss == null || loss.isBlank()) {
            throw new IllegalArgumentException("loss label missing");
        }
    }

    /** The loss in percent per direction, or NaN for a named case. */
    public double lossPercent() {
        try {
            return Double.parseDouble(loss);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    public boolean hasLossPercent(double percent) {
        return lossPercent() == percent;
    }

    /** "5 %" or "burst". */
    public String lossLabel() {
        return Double.isNaN(lossPercent()) ? loss : loss + " %";
    }

    @Override
    public String toString() {
        return "RTT " + rttMs + " ms, loss " + lossLabel();
    }

    @Override
    public int compareTo(Cell o) {
        return ORDER.compare(this, o);
    }

    static int compareLoss(String a, String b) {
        double x = parse(a);
        double y = parse(b);
        if (!Double.isNaN(x) && !Double.isNaN(y)) {
            return Double.compare(x, y);
        }
        if (Double.isNaN(x) != Double.isNaN(y)) {
            return Double.isNaN(x) ? 1 : -1;
        }
        return a.compareTo(b);
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
