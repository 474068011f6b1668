package dev.ferry.bench.link;

import dev.ferry.transport.sim.GilbertElliott;
import dev.ferry.transport.sim.LinkProfile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinkOptionsTest {

    @Test
    void defaultsArePerfectAndRandomlySeeded() {
        LinkOptions o = LinkOptions.parse();
        assertEquals(LinkProfile.PERFECT, o.aToB());
        assertEquals(LinkProfile.PERFECT, o.bToA());
        assertEquals("ferry-a0", o.devA());
        assertEquals("ferry-b0", o.devB());
        assertTrue(o.seed().isEmpty());
        assertTrue(o.statsFile().isEmpty());
        assertFalse(o.help());
    }

    @Test
    void theIssuesProfileAppliesToBothDirections() {
        LinkOptions o = LinkOptions.parse("--delay", "25ms", "--jitter", "0", "--loss", "0.05", "--rate", "20mbit",
                "--queue", "64k", "--seed", "7", "--stats-file", "/tmp/s");
        LinkProfile expected = LinkProfile.PERFECT.withDelay(25, 0).withLoss(0.05).withRateLimit(2_500_000, 65_536);
        assertEquals(expected, o.aToB());
        assertEquals(expected, o.bToA());
        assertEquals(7, o.seed().getAsLong());
        assertEquals(Path.of("/tmp/s"), o.statsFile().orElseThrow());
    }

    @Test
    void oneDirectionFlagsWinInAnyOrder() {
        LinkOptions o = LinkOptions.parse("--ab-delay=30ms", "--delay", "25", "--ba-loss", "10%", "--loss", "1%",
                "--ab-rate", "1mbit", "--burst", "1%,25%");
        assertEquals(30, o.aToB().delayMillis());
        assertEquals(25, o.bToA().delayMillis());
        assertEquals(0.01, o.aToB().loss(), 1e-12);
        assertEquals(0.10, o.bToA().loss(), 1e-12);
        assertEquals(125_000, o.aToB().rateBytesPerSecond());
        assertEquals(LinkOptions.DEFAULT_QUEUE_BYTES, o.aToB().queueBytes());
        assertFalse(o.bToA().rateLimited());
        assertEquals(GilbertElliott.gilbert(0.01, 0.25), o.aToB().burst());
        assertEquals(GilbertElliott.gilbert(0.01, 0.25), o.bToA().burst());
    }

    @Test
    void unitsParse() {
        assertEquals(100, LinkOptions.millis("--delay", "0.1s"));
        assertEquals(7, LinkOptions.millis("--delay", "7"));
        assertEquals(0.005, LinkOptions.probability("--loss", "0.5%"), 1e-12);
        assertEquals(62_500, LinkOptions.bytesPerSecond("--rate", "500kbit"));
        assertEquals(125_000_000, LinkOptions.bytesPerSecond("--rate", "1Gbit"));
        assertEquals(8_000, LinkOptions.bytesPerSecond("--rate", "64000bit"));
        assertEquals(0, LinkOptions.bytesPerSecond("--rate", "unlimited"));
        assertEquals(65_536, LinkOptions.bytes("--queue", "65536"));
        assertEquals(1 << 20, LinkOptions.bytes("--queue", "1m"));
        assertEquals(32 * 1024, LinkOptions.bytes("--queue", "32KB"));
        assertEquals(new GilbertElliott(0.01, 0.3, 0.001, 0.5), LinkOptions.burst("--burst", "0.01,30%,0.1%,0.5"));
        assertEquals(GilbertElliott.NONE, LinkOptions.burst("--burst", "none"));
    }

    @Test
    void errorsNameTheFlag() {
        assertMessage("--ab-delay must be a whole number of milliseconds >= 0, got 0.5ms", "--ab-delay", "0.5ms");
        assertMessage("--loss must be a probability in [0, 1] (or 0%..100%), got 120%", "--loss", "120%");
        assertMessage("--rate needs a unit (bit, kbit, mbit, gbit), got 20", "--rate", "20");
        assertMessage("--queue 64k needs a rate (--rate)", "--queue", "64k");
        assertMessage("--burst takes p,r or p,r,lossGood,lossBad, got 0.1", "--burst", "0.1");
        assertMessage("--ba-jitter: cannot read \"soon\"", "--ba-jitter", "soon");
        assertMessage("unknown flag --latency (--help lists them)", "--latency", "5ms");
        assertMessage("--delay needs a value", "--delay");
        assertMessage("unexpected argument \"25ms\" (flags start with --)", "25ms");
        assertMessage("--dev-a and --dev-b must differ, both are x", "--dev-a", "x", "--dev-b", "x");
    }

    @Test
    void helpIsRecognised() {
        assertTrue(LinkOptions.parse("--help").help());
    }

    private static void assertMessage(String message, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkOptions.parse(args));
        assertEquals(message, e.getMessage());
    }
}
