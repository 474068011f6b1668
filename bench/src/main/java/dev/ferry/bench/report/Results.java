package dev.ferry.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * All rows of one {@code results.csv}, with the aggregates the reports need: per cell and system the
 * {@link Spread} of a metric over the rounds, and ratios taken per round (two systems measured in the same round,
 * minutes apart) before their median is taken.
 */
public final class Results {
    private final List<Measurement> rows;

    public Results(List<Measurement> rows) {
        this.rows = List.copyOf(rows);
    }

    public static Results read(Path csv) throws IOException {
        List<Measurement> rows = new ArrayList<>();
        for (Map<String, String> record : Csv.read(csv)) {
            try {
                rows.add(Measurement.fromRecord(record));
            } catch (IllegalArgumentException e) {
                throw new IOException(csv + ": " + e.getMessage(), e);
            }
        }
        return new Results(rows);
    }

    public List<Measurement> rows() {
        return rows;
    }

    /** The cells measured, in grid order. */
    public SequencedSet<Cell> cells() {
        return rows.stream().map(Measurement::cell).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The systems, in the order they first appear (the runner's order within a round). */
    public SequencedSet<String> systems() {
        return rows.stream().map(Measurement::system).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    public SequencedSet<Integer> rtts() {
        return cells().stream().map(Cell::rttMs).collect(Collectors.toCollection(TreeSet::new));
    }

    public List<Measurement> of(Cell cell, String system) {
        return rows.stream().filter(m -> m.cell().equals(cell) && m.system().equals(system)).toList();
    }

    public boolean has(Cell cell, String system) {
        return rows.stream().anyMatch(m -> m.cell().equals(cell) && m.system().equals(system));
    }

    /** {@code metric} of {@code system} in {@code cell} over its rounds; failed steps (NaN) are left out. */
    public Spread spread(Cell cell, String system, Metric metric) {
        return Spread.of(of(cell, system).stream().map(m -> m.value(metric)).toList());
    }

    /**
     * {@code metric} of {@code system} over that of {@code reference}, taken per round (same cell, same run number),
     * then summarised. A round in which either lacks the figure, or the reference's is 0, gives no ratio.
     */
    public Spread ratio(Cell cell, String system, String reference, Metric metric) {
        List<Double> ratios = new ArrayList<>();
        for (Measurement m : of(cell, system)) {
            Optional<Measurement> ref = round(cell, reference, m.run());
            if (ref.isPresent() && ref.get().value(metric) != 0) {
                ratios.add(m.value(metric) / ref.get().value(metric));
            }
        }
        return Spread.of(ratios);
    }

    /** {@code metric} (in ms) over the cell's nominal RTT, per round, then summarised. */
    public Spread overRtt(Cell cell, String system, Metric metric) {
        return Spread.of(of(cell, system).stream().map(m -> m.value(metric) / cell.rttMs()).toList());
    }

    /** How many of {@code system}'s rounds in {@code cell} had every step succeed. */
    public long okRuns(Cell cell, String system) {
        return of(cell, system).stream().filter(Measurement::ok).count();
    }

    /** The first non-empty value of {@code column} among the cell's rows (per-cell facts repeated on every row). */
    public String cellColumn(Cell cell, String column) {
        return rows.stream().filter(m -> m.cell().equals(cell)).map(m -> m.column(column))
                .filter(Objects::nonNull).filter(s -> !s.isBlank()).findFirst().orElse("");
    }

    private Optional<Measurement> round(Cell cell, String system, int run) {
        return of(cell, system).stream().filter(m -> m.run() == run).findFirst();
    }
}
