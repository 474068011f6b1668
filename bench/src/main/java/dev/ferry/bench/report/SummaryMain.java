package dev.ferry.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code SummaryMain RESULTS_CSV}: prints the tables of {@code summary.md} ({@link SummaryWriter}) on standard
 * output, UTF-8. Exit status 2 on a bad command line, 1 when the CSV cannot be read.
 */
public final class SummaryMain {
    private SummaryMain() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: SummaryMain RESULTS_CSV");
            System.exit(2);
        }
        try {
            String md = new SummaryWriter(Results.read(Path.of(args[0]))).write();
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            out.print(md);
            out.flush();
        } catch (IOException | RuntimeException e) {
            System.err.println("summary: " + e.getMessage());
            System.exit(1);
        }
    }
}
