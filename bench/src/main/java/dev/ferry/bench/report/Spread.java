package dev.ferry.bench.report;

import java.util.Arrays;
import java.util.Collection;

/**
 * Median, minimum and maximum of a set of measurements, and how many there were. NaN values (a metric a run did not
 * produce) are left out; with none left, every figure is NaN and {@link #n()} is 0.
 *
 * @param median the middle value; with an even count, the mean of the two middle values
 */
public record Spread(double median, double min, double max, int n) {
    public static final Spread EMPTY = new Spread(Double.NaN, Double.NaN, Double.NaN, 0);

    public static Spread of(Collection<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static Spread of(double... values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return EMPTY;
        }
        return new Spread(median(v), v[0], v[v.length - 1], v.length);
    }

    /** The median of values already sorted ascending, none NaN, at least one. */
    static double median(double[] sorted) {
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public boolean isEmpty() {
        return n == 0;
    }
}
