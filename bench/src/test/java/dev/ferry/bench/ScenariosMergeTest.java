package dev.ferry.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench/scenarios.sh merge GRID OUT}: the refusals, which leave GRID as it was. (The merge that succeeds
 * also writes the report, which needs the packaged bench jar; it is run by hand, see bench/README.md.)
 */
class ScenariosMergeTest {
    private static final String HEADER = "date_utc,rtt_ms,loss,link,seed,system,run,status\n";

    @TempDir
    Path dir;

    @Test
    void aCellTheGridHasAlreadyIsRefusedAndNothingIsWritten() throws Exception {
        Path grid = grid(HEADER + row(50, "5", 1) + row(50, "10", 1));
        Path piece = piece("rtt50-again", HEADER + row(50, "0", 1) + row(50, "10", 1));
        String before = Files.readString(grid.resolve("results.csv"));

        Result r = merge(grid, piece);

        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("cells already in") && r.output.contains("50,10"), r.output);
        assertFalse(r.output.contains("50,0 "), "only the cell both have is named: " + r.output);
        assertEquals(before, Files.readString(grid.resolve("results.csv")));
        assertFalse(Files.exists(grid.resolve("pieces").resolve("rtt50-again")));
    }

    @Test
    void aPieceWithOtherColumnsIsRefused() throws Exception {
        Path grid = grid(HEADER + row(50, "5", 1));
        Path piece = piece("other", "date_utc,rtt_ms,loss,system\n2026-11-22T00:00:00Z,200,5,tcp-bbr\n");
        String before = Files.readString(grid.resolve("results.csv"));

        Result r = merge(grid, piece);

        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("other columns"), r.output);
        assertEquals(before, Files.readString(grid.resolve("results.csv")));
    }

    @Test
    void aDirectoryThatIsNotARunsOutputIsRefused() throws Exception {
        Path grid = grid(HEADER + row(50, "5", 1));
        Path notARun = Files.createDirectories(dir.resolve("empty"));

        Result r = merge(grid, notARun);

        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("not a run's OUT"), r.output);
    }

    @Test
    void mergeWithoutItsTwoDirectoriesPrintsItsUsage() throws Exception {
        Result r = run("merge", dir.toString());

        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("usage:") && r.output.contains("merge GRID OUT"), r.output);
    }

    private Path grid(String csv) throws IOException {
        Path grid = Files.createDirectories(dir.resolve("grid"));
        Files.writeString(grid.resolve("results.csv"), csv, StandardCharsets.UTF_8);
        return grid;
    }

    private Path piece(String name, String csv) throws IOException {
        Path piece = Files.createDirectories(dir.resolve(name));
        Files.writeString(piece.resolve("results.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(piece.resolve("header.md"), "# Scenario runner: 2026-11-22 13:08 UTC\n\nCommand: x\n");
        return piece;
    }

    private static String row(int rtt, String loss, int run) {
        return "2026-11-22T13:09:00Z," + rtt + "," + loss + ",--delay 25ms,1,tcp-bbr," + run + ",ok\n";
    }

    private Result merge(Path grid, Path piece) throws Exception {
        return run("merge", grid.toString(), piece.toString());
    }

    private static Result run(String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bash";
        cmd[1] = Path.of("scenarios.sh").toAbsolutePath().toString(); // surefire runs in bench/
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("scenarios.sh " + String.join(" ", args) + " did not end within 60 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int exit, String output) {
    }
}
