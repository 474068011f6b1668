package dev.ferry.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsTest {
    private static final String HEADER = "rtt_ms,loss,link,system,run,status,goodput_mbps,wire_total_per_payload,"
            + "rpc_p99_ms,ttfb_p50_ms,cpu_s,idle_ab_Bps\n";

    @TempDir
    Path dir;

    @Test
    void spreadIsMedianMinMaxOverRoundsSkippingMissing() {
        assertEquals(new Spread(2, 1, 9, 3), Spread.of(9, 1, 2));
        assertEquals(new Spread(2.5, 1, 4, 4), Spread.of(4, 1, 3, 2));
        assertEquals(new Spread(5, 5, 5, 1), Spread.of(Double.NaN, 5));
        assertTrue(Spread.of(Double.NaN).isEmpty());
        assertTrue(Spread.of().isEmpty());
        assertTrue(Double.isNaN(Spread.EMPTY.median()));
    }

    @Test
    void readsCellsAndSystemsInGridAndRoundOrder() throws IOException {
        Results r = Results.read(write(HEADER
                + "200,burst,\"--burst 1%,25%\",tcp-bbr,1,ok,10,,,,NA,\n"
                + "50,10,--loss 10%,tcp-bbr,1,ok,15,,,,NA,\n"
                + "50,5,--loss 5%,ferry-kcp-fast3,1,ok,17,,,,,\n"
                + "50,5,--loss 5%,tcp-bbr,1,ok,16,,,,NA,\n"
                + "200,0,--loss 0%,tcp-bbr,1,ok,19,,,,NA,\n"));
        assertEquals(List.of(new Cell(50, "5"), new Cell(50, "10"), new Cell(200, "0"), new Cell(200, "burst")),
                List.copyOf(r.cells()));
        assertEquals(List.of("tcp-bbr", "ferry-kcp-fast3"), List.copyOf(r.systems()));
        assertEquals(List.of(50, 200), List.copyOf(r.rtts()));
        assertEquals("--burst 1%,25%", r.cellColumn(new Cell(200, "burst"), "link"));
        assertTrue(Double.isNaN(r.of(new Cell(50, "10"), "tcp-bbr").getFirst().value(Metric.CPU)));
    }

    @Test
    void ratiosArePerRoundThenMedian() throws IOException {
        // Round 3 of the reference failed (no goodput): that round gives no ratio.
        Results r = Results.read(write(HEADER
                + "50,5,x,ferry-kcp-fast3,1,ok,18,1.2,60,52,3.5,100\n"
                + "50,5,x,kcptun-fast3,1,ok,10,7.1,300,55,5.0,100\n"
                + "50,5,x,ferry-kcp-fast3,2,ok,12,1.3,70,51,3.4,100\n"
                + "50,5,x,kcptun-fast3,2,ok,6,7.3,310,56,4.0,100\n"
                + "50,5,x,ferry-kcp-fast3,3,ok,17,1.22,80,53,3.6,100\n"
                + "50,5,x,kcptun-fast3,3,bulk-fail,,,320,57,,100\n"));
        Cell c = new Cell(50, "5");
        Spread goodput = r.spread(c, "ferry-kcp-fast3", Metric.GOODPUT);
        assertEquals(new Spread(17, 12, 18, 3), goodput);
        // per round: 18/10 = 1.8, 12/6 = 2.0; the medians' ratio (17/8) would be 2.125
        Spread ratio = r.ratio(c, "ferry-kcp-fast3", "kcptun-fast3", Metric.GOODPUT);
        assertEquals(2, ratio.n());
        assertEquals(1.9, ratio.median(), 1e-12);
        assertEquals(1.8, ratio.min(), 1e-12);
        assertEquals(2.0, ratio.max(), 1e-12);
        assertEquals(1.4, r.overRtt(c, "ferry-kcp-fast3", Metric.RPC_P99).median(), 1e-12);
        assertEquals(2, r.okRuns(c, "kcptun-fast3"));
        assertTrue(r.ratio(c, "ferry-kcp-fast3", "tcp-bbr", Metric.GOODPUT).isEmpty());
    }

    @Test
    void summaryChecksTheTargets() throws IOException {
        Results r = Results.read(write(HEADER
                + "50,5,x,tcp-bbr,1,ok,16,1.14,450,101,NA,10\n"
                + "50,5,x,ferry-kcp-fast3,1,ok,17.5,1.25,55,51,3.5,10\n"
                + "50,5,x,kcptun-fast3,1,ok,10,7.3,290,52,5.0,10\n"));
        String md = new SummaryWriter(r).write();
        assertTrue(md.contains("## RTT 50 ms, loss 5 %"), md);
        assertTrue(md.contains("| ferry-kcp-fast3 | 1 of 1 | 17.5 |"), md);
        assertTrue(md.contains("| goodput ≥ 1.5 × kcptun-fast3 (loss 5 %, 10 %) | 1 of 1 | 50 ms/5 %: 1.75 ✓ |"), md);
        assertTrue(md.contains("wire ÷ payload, both directions, ≤ 1.25 (loss 5 %) | 1 of 1 | 50 ms/5 %: 1.25 ✓"),
                md);
        assertTrue(md.contains("TTFB of a new connection, p50, ≤ 1.2 × RTT (every cell) | 1 of 1"), md);
        assertTrue(md.contains("Only 1 round(s)"), md);
        assertFalse(md.contains("| tcp-bbr | goodput"), "targets only for ferry-kcp systems");
    }

    @Test
    void chartsAreWrittenAsPng() throws IOException {
        Results r = Results.read(write(HEADER
                + "50,0,x,tcp-bbr,1,ok,18.8,,50.5,101,,\n"
                + "50,5,x,tcp-bbr,1,ok,17.2,,454,150,,\n"
                + "50,0,x,ferry-kcp-fast3,1,ok,18.6,,51,51,,\n"
                + "50,5,x,ferry-kcp-fast3,1,rpc-fail,17.5,,,52,,\n"));
        Path png = dir.resolve("p99.png");
        assertTrue(new ChartWriter(r).write(50, Metric.RPC_P99, "t", true, 1.5, png));
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals("PNG", new String(head, 1, 3, StandardCharsets.US_ASCII));
        assertFalse(new ChartWriter(r).write(200, Metric.GOODPUT, "t", false, 0, dir.resolve("none.png")));
    }

    @Test
    void rowsWithoutTheirKeysAreRejected() {
        assertThrows(IOException.class, () -> Results.read(write(HEADER + "50,5,x,,1,ok,1,,,,,\n")));
        assertThrows(IOException.class, () -> Results.read(write(HEADER + "abc,5,x,s,1,ok,1,,,,,\n")));
    }

    private Path write(String content) throws IOException {
        Path f = Files.createTempFile(dir, "results", ".csv");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }
}
