package dev.ferry.backend.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPortAndDurationsTest {

    @Test
    void hostPortForms() {
        assertEquals(new HostPort("example.com", 7000), HostPort.parse("example.com:7000", false));
        assertEquals(new HostPort("10.0.0.1", 1), HostPort.parse("10.0.0.1:1", false));
        assertEquals(new HostPort("2001:db8::1", 65535), HostPort.parse("[2001:db8::1]:65535", false));
        assertEquals(new HostPort("0.0.0.0", 0), HostPort.parse("0.0.0.0:0", true));
        assertEquals("[2001:db8::1]:443", HostPort.parse("[2001:db8::1]:443", false).toString());
    }

    @Test
    void namesStayUnresolvedAndLiteralsResolveWithoutDns() {
        InetSocketAddress name = HostPort.parse("vps.example:7000", false).toUnresolvedUnlessLiteral();
        assertTrue(name.isUnresolved());
        InetSocketAddress ip = HostPort.parse("[::1]:7000", false).toUnresolvedUnlessLiteral();
        assertFalse(ip.isUnresolved());
        assertNull(HostPort.parse("vps.example:7000", false).literalAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", ":80", "host:", "host:0", "host:65536", "host:x", "::1:80", "[::1]80", "[::1]",
            "[1.2.3.4]:80", "bad_name:80", "10.1:80", "300.0.0.1:80", "-host:80", "a b:80"})
    void hostPortRefusals(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text, false));
        assertTrue(e.getMessage().contains("'"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
        for (String bad : new String[] {"", "10", "1.5s", "-1s", "1d", "s", "10 s", "1000000000s"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("2m", Durations.format(Duration.ofMinutes(2)));
        assertEquals("1h", Durations.format(Duration.ofHours(1)));
        assertEquals("0s", Durations.format(Duration.ZERO));
    }
}
