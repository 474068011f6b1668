package dev.ferry.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The markdown part of {@code summary.md} that comes from {@code results.csv}: per cell, each system's figures as
 * median (min–max) over its rounds and the ratios the targets need (taken per round, then median (min–max)); then
 * issue 6's targets checked for every {@code ferry-kcp*} system. The runner writes the header (date, code, machine,
 * grid) above it.
 */
public final class SummaryWriter {
    private static final List<Metric> TABLE = List.of(Metric.GOODPUT, Metric.WIRE_SEND, Metric.WIRE_TOTAL,
            Metric.RPC_P50, Metric.RPC_P99, Metric.RPC_MAX, Metric.TTFB_P50, Metric.TTFB_P99, Metric.CPU);
    private static final String KCP_PREFIX = "ferry-kcp";

    private final Results results;
    private final StringBuilder out = new StringBuilder();

    public SummaryWriter(Results results) {
        this.results = results;
    }

    public String write() {
        out.setLength(0);
        for (Cell cell : results.cells()) {
            cell(cell);
        }
        failures();
        targets();
        return out.toString();
    }

    private void cell(Cell cell) {
        line("## " + cell);
        line("");
        String link = results.cellColumn(cell, "link");
        String idleAb = results.cellColumn(cell, "idle_ab_Bps");
        String idleBa = results.cellColumn(cell, "idle_ba_Bps");
        String idleCpu = results.cellColumn(cell, "idle_cpu_pct");
        if (!link.isEmpty()) {
            line("Link: `link.sh up " + link + "`. Idle background with every tunnel up and none in use: a→b "
                    + orDash(idleAb) + " B/s, b→a " + orDash(idleBa) + " B/s (subtracted from the wire bytes); the "
                    + "tunnels' processes together used " + orDash(idleCpu) + " % of one core.");
            line("");
        }
        List<String> systems = results.systems().stream().filter(s -> results.has(cell, s)).toList();
        Spread load = Spread.of(results.rows().stream().filter(m -> m.cell().equals(cell))
                .map(m -> Measurement.number(m.column("load1"))).toList());
        if (!load.isEmpty()) {
            line("1-minute load average after each run: " + number(load.min(), 2) + "–" + number(load.max(), 2)
                    + " (2 vCPUs).");
            line("");
        }

        StringBuilder head = new StringBuilder("| system | ok runs |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (Metric m : TABLE) {
            head.append(' ').append(m.label()).append(" |");
            rule.append("---:|");
        }
        line(head.toString());
        line(rule.toString());
        for (String s : systems) {
            StringBuilder row = new StringBuilder("| " + s + " | " + results.okRuns(cell, s) + " of "
                    + results.of(cell, s).size() + " |");
            for (Metric m : TABLE) {
                row.append(' ').append(format(results.spread(cell, s, m), m.decimals())).append(" |");
            }
            line(row.toString());
        }
        line("");
        line("Ratios, per round, then median (min–max):");
        line("");
        line("| system | goodput ÷ " + Target.KCPTUN_FAST3 + " | goodput ÷ " + Target.TCP_BBR
                + " | RPC p99 ÷ RTT | TTFB p50 ÷ RTT | TTFB p99 ÷ RTT |");
        line("|---|---:|---:|---:|---:|---:|");
        for (String s : systems) {
            line("| " + s
                    + " | " + format(results.ratio(cell, s, Target.KCPTUN_FAST3, Metric.GOODPUT), 2)
                    + " | " + format(results.ratio(cell, s, Target.TCP_BBR, Metric.GOODPUT), 2)
                    + " | " + format(results.overRtt(cell, s, Metric.RPC_P99), 2)
                    + " | " + format(results.overRtt(cell, s, Metric.TTFB_P50), 2)
                    + " | " + format(results.overRtt(cell, s, Metric.TTFB_P99), 2) + " |");
        }
        line("");
    }

    private void failures() {
        List<Measurement> failed = results.rows().stream().filter(m -> !m.ok()).toList();
        line("## Runs with a failed step");
        line("");
        if (failed.isEmpty()) {
            line("None: every step of every run succeeded.");
        }
        for (Measurement m : failed) {
            line("- " + m.cell() + ", " + m.system() + ", round " + m.run() + ": `" + m.status()
                    + "` (its other figures are kept; the logs are under `logs/`)");
        }
        line("");
    }

    private void targets() {
        List<String> kcp = results.systems().stream().filter(s -> s.startsWith(KCP_PREFIX)).toList();
        line("## Targets of issue 6 (ferry over kcp)");
        line("");
        if (kcp.isEmpty()) {
            line("No `" + KCP_PREFIX + "*` system was measured.");
            line("");
            return;
        }
        int rounds = results.rows().stream().mapToInt(Measurement::run).max().orElse(0);
        if (rounds < 3) {
            line("Only " + rounds + " round(s) per cell: the targets ask for medians of at least 3 runs, so "
                    + "this is an indication, not a check.");
            line("");
        }
        line("Each figure is the median over the rounds (a ratio: per round first); ✓ met, ✗ missed, "
                + "– not measured in that cell (a reference system missing or every run failed).");
        line("");
        line("| system | target | met | per cell |");
        line("|---|---|---:|---|");
        for (String s : kcp) {
            for (Target t : Target.ISSUE_6) {
                List<String> figures = new ArrayList<>();
                int applicable = 0;
                int met = 0;
                for (Cell c : results.cells()) {
                    if (!t.appliesTo().test(c) || !results.has(c, s)) {
                        continue;
                    }
                    applicable++;
                    Spread f = t.figure().of(results, c, s);
                    String mark = f.isEmpty() ? "–" : t.met(f.median()) ? "✓" : "✗";
                    if (t.met(f.median())) {
                        met++;
                    }
                    figures.add(c.rttMs() + " ms/" + c.lossLabel() + ": " + number(f.median(), 2) + " " + mark);
                }
                if (applicable > 0) {
                    line("| " + s + " | " + t.name() + " | " + met + " of " + applicable + " | "
                            + String.join("; ", figures) + " |");
                }
            }
        }
        line("");
    }

    /** "17.5 (17.4–17.6)", "17.5" for one value, "–" for none. */
    static String format(Spread s, int decimals) {
        if (s.isEmpty()) {
            return "–";
        }
        if (s.n() == 1) {
            return number(s.median(), decimals);
        }
        return number(s.median(), decimals) + " (" + number(s.min(), decimals) + "–" + number(s.max(), decimals)
                + ")";
    }

    static String number(double v, int decimals) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String orDash(String s) {
        return s.isEmpty() ? "–" : s;
    }

    private void line(String s) {
        out.append(s).append('\n');
    }
}
