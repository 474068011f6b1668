package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.CliContext;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.transport.kcp.KcpTuning;
import dev.ferry.transport.kcp.engine.Congestion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.ferry.frontend.cli.Run.KEY;
import static dev.ferry.frontend.cli.Run.ferry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ferry frontend --down RATE}: parsing and validation; nothing here opens a socket. */
class DownRateOptionTest {

    private static FrontendConfig config(String... args) {
        CliContext context = Run.context(Map.of(), new ArrayList<>());
        FrontendCommand cmd = new FrontendCommand(context);
        List<String> all = new ArrayList<>(List.of("--server", "h:1", "--key", KEY, "-L", "2222=127.0.0.1:22",
                "--transport", "kcp"));
        all.addAll(List.of(args));
        new CommandLine(cmd).parseArgs(all.toArray(String[]::new));
        return cmd.config();
    }

    private static void assertUsageError(Run r, String expectedLine) {
        assertEquals(2, r.exit(), r.err());
        assertEquals(List.of(expectedLine), r.errLines());
        assertEquals("", r.out());
    }

    @Test
    void downReachesTheTransportOptions() {
        FrontendConfig c = config("--down", "20mbit");
        assertEquals(20_000_000, c.tunnel().kcp().downBitsPerSecond());
        assertEquals(20_000_000, c.tunnel().transportOptions(new SplittableRandom(1)).kcp().downBitsPerSecond());
        assertEquals(KcpTuning.DEFAULT.engine(), c.tunnel().kcp().engine(), "--down leaves this end's sending alone");
        assertEquals(1_500_000, config("--down", "1.5mbit").tunnel().kcp().downBitsPerSecond());
    }

    @Test
    void withoutDownNothingIsDeclared() {
        assertEquals(KcpTuning.DEFAULT, config().tunnel().kcp());
        assertEquals(0, config().tunnel().kcp().downBitsPerSecond());
    }

    @Test
    void downAndUpAreIndependent() {
        KcpTuning k = config("--down", "50mbit", "--up", "5mbit", "--fec", "10,3").tunnel().kcp();
        assertEquals(50_000_000, k.downBitsPerSecond());
        assertEquals(Congestion.DECLARED, k.engine().congestion(), "--up still sets what this end sends");
        assertEquals(10, k.fec().dataShards());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "20mbps|ferry: --down: expected a rate like 500kbit, 20mbit or 1gbit, got '20mbps'",
            "1kbit|ferry: --down: must be from 64kbit to 100gbit, got '1kbit'",
            "200gbit|ferry: --down: must be from 64kbit to 100gbit, got '200gbit'",
            "fast|ferry: --down: expected a rate like 500kbit, 20mbit or 1gbit, got 'fast'",
    })
    void badRatesGiveOneLineNamingTheOption(String value, String expected) {
        assertUsageError(ferry("frontend", "--key", KEY, "--server", "h:1", "-L", "2222=127.0.0.1:22",
                "--transport", "kcp", "--down", value), expected);
    }

    @Test
    void theBackendHasNoDown() {
        Run r = ferry("backend", "--key", KEY, "--transport", "kcp", "--down", "20mbit");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("ferry: unknown option '--down'"), r.err());
    }

    @Test
    void helpDescribesDown() {
        Run r = ferry("frontend", "--help");
        assertEquals(0, r.exit(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--down=RATE"), help);
        assertTrue(help.contains("The backend sends to this frontend at this rate whatever the loss"), help);
        assertTrue(help.contains("capped by the backend's own --up"), help);
        assertTrue(help.contains("Only for a link whose download capacity you know"), help);
        assertTrue(!ferry("backend", "--help").out().contains("--down"), "not on the backend");
    }
}
