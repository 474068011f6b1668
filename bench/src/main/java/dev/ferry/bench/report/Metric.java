package dev.ferry.bench.report;

/**
 * The per-run figures of {@code results.csv} the reports use: the CSV column, a label for tables and charts, and how
 * many decimals to print.
 */
public enum Metric {
    GOODPUT("goodput_mbps", "goodput Mbit/s", 1),
    WIRE_SEND("wire_send_per_payload", "wire ÷ payload, sending direction", 2),
    WIRE_TOTAL("wire_total_per_payload", "wire ÷ payload, both directions", 2),
    RPC_P50("rpc_p50_ms", "RPC p50 ms", 1),
    RPC_P99("rpc_p99_ms", "RPC p99 ms", 1),
    RPC_MAX("rpc_max_ms", "RPC max ms", 1),
    TTFB_P50("ttfb_p50_ms", "TTFB p50 ms", 1),
    TTFB_P99("ttfb_p99_ms", "TTFB p99 ms", 1),
    CPU("cpu_s", "CPU s (bulk run, both ends)", 2);

    private final String column;
    private final String label;
    private final int decimals;

    Metric(String column, String label, int decimals) {
        this.column = column;
        this.label = label;
        this.decimals = decimals;
    }

    public String column() {
        return column;
    }

    public String label() {
        return label;
    }

    public int decimals() {
        return decimals;
    }
}
