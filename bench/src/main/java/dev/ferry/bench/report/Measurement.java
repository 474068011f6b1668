package dev.ferry.bench.report;

import java.util.EnumMap;
import java.util.Map;

/**
 * One row of {@code results.csv}: one system measured once (one round) in one cell. A metric the run did not produce
 * (a failed step, or CPU of direct TCP) is NaN. {@code columns} keeps the whole row for the figures that are not
 * {@link Metric}s (link arguments, idle background, status).
 */
public record Measurement(Cell cell, String system, int run, String status, Map<Metric, Double> values,
                          Map<String, String> columns) {

    public Measurement {
        values = Map.copyOf(values);
        columns = Map.copyOf(columns);
    }

    /** The row as {@link Csv#read} returns it; needs the columns rtt_ms, loss, system and run. */
    public static Measurement fromRecord(Map<String, String> record) {
        Cell cell = new Cell(Integer.parseInt(required(record, "rtt_ms")), required(record, "loss"));
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            values.put(m, number(record.getOrDefault(m.column(), "")));
        }
        return new Measurement(cell, required(record, "system"), Integer.parseInt(required(record, "run")),
                record.getOrDefault("status", ""), values, record);
    }

    public double value(Metric metric) {
        return values.getOrDefault(metric, Double.NaN);
    }

    public String column(String name) {
        return columns.getOrDefault(name, "");
    }

    public boolean ok() {
        return "ok".equals(status);
    }

    /** A number, or NaN for an empty field, "NA", "nan" or anything else that is not one. */
    static double number(String field) {
        String s = field.strip();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String required(Map<String, String> record, String column) {
        String v = record.get(column);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("column " + column + " missing or empty in " + record);
        }
        return v.strip();
    }
}
