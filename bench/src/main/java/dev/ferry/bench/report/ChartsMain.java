package dev.ferry.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ChartsMain RESULTS_CSV OUT_DIR}: for every RTT in the results, {@code goodput-rtt<RTT>.png} (bulk goodput
 * against loss) and {@code rpc-p99-rtt<RTT>.png} (64-byte RPC p99 against loss, log scale, with the 1.5 × RTT target
 * as a red line), one series per system, medians over the rounds. Prints the files written. Exit status 2 on a
 * bad command line, 1 when the CSV cannot be read.
 */
public final class ChartsMain {
    private ChartsMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ChartsMain RESULTS_CSV OUT_DIR");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        try {
            Results results = Results.read(Path.of(args[0]));
            Path dir = Files.createDirectories(Path.of(args[1]));
            ChartWriter charts = new ChartWriter(results);
            for (int rtt : results.rtts()) {
                Path goodput = dir.resolve("goodput-rtt" + rtt + ".png");
                if (charts.write(rtt, Metric.GOODPUT, "Bulk goodput, RTT " + rtt + " ms (median of rounds)", false,
                        0, goodput)) {
                    System.out.println(goodput);
                }
                Path p99 = dir.resolve("rpc-p99-rtt" + rtt + ".png");
                if (charts.write(rtt, Metric.RPC_P99, "64-byte RPC p99, RTT " + rtt
                        + " ms (median of rounds; red: 1.5 × RTT)", true, 1.5, p99)) {
                    System.out.println(p99);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("charts: " + e.getMessage());
            System.exit(1);
        }
    }
}
