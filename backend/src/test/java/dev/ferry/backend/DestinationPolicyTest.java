package dev.ferry.backend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DestinationPolicyTest {

    private static InetSocketAddress at(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(e);
        }
    }

    private static DestinationPolicy allow(String... rules) {
        return DestinationPolicy.of(List.of(rules), List.of());
    }

    private static DestinationPolicy deny(String... rules) {
        return DestinationPolicy.of(List.of(), List.of(rules));
    }

    @Test
    void allowAllPermitsEverythingResolved() {
        DestinationPolicy p = DestinationPolicy.allowAll();
        assertTrue(p.permits(at("10.1.2.3", 22)));
        assertTrue(p.permits(at("2001:db8::1", 443)));
        assertTrue(p.isAllowAll());
        assertTrue(DestinationPolicy.of(List.of(), List.of()).isAllowAll());
    }

    @Test
    void unresolvedIsRefusedWhenThereAreRules() {
        assertFalse(deny("10.0.0.0/8").permits(InetSocketAddress.createUnresolved("example.com", 80)));
        assertFalse(DestinationPolicy.allowAll().permits(InetSocketAddress.createUnresolved("example.com", 80)));
    }

    @Test
    void ipv4CidrEdges() {
        DestinationPolicy p = allow("10.0.0.0/8");
        assertTrue(p.permits(at("10.0.0.0", 1)));
        assertTrue(p.permits(at("10.255.255.255", 65535)));
        assertFalse(p.permits(at("9.255.255.255", 80)));
        assertFalse(p.permits(at("11.0.0.0", 80)));

        DestinationPolicy odd = allow("192.168.1.128/25");
        assertTrue(odd.permits(at("192.168.1.128", 80)));
        assertTrue(odd.permits(at("192.168.1.255", 80)));
        assertFalse(odd.permits(at("192.168.1.127", 80)));
    }

    @Test
    void slash32IsOneAddressAndBareIpIsSlash32() {
        for (DestinationPolicy p : List.of(allow("203.0.113.7/32"), allow("203.0.113.7"))) {
            assertTrue(p.permits(at("203.0.113.7", 80)));
            assertFalse(p.permits(at("203.0.113.6", 80)));
            assertFalse(p.permits(at("203.0.113.8", 80)));
        }
    }

    @Test
    void slash0MatchesEveryAddressOfItsFamilyOnly() {
        DestinationPolicy v4 = allow("0.0.0.0/0");
        assertTrue(v4.permits(at("0.0.0.0", 1)));
        assertTrue(v4.permits(at("255.255.255.255", 1)));
        assertFalse(v4.permits(at("2001:db8::1", 1)));

        DestinationPolicy v6 = allow("[::/0]");
        assertTrue(v6.permits(at("::", 1)));
        assertTrue(v6.permits(at("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1)));
        assertFalse(v6.permits(at("127.0.0.1", 1)));
    }

    @Test
    void ipv6CidrAndSlash128() {
        DestinationPolicy p = allow("[2001:db8::/32]:443");
        assertTrue(p.permits(at("2001:db8::1", 443)));
        assertTrue(p.permits(at("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 443)));
        assertFalse(p.permits(at("2001:db9::", 443)));
        assertFalse(p.permits(at("2001:db8::1", 80)));

        DestinationPolicy one = allow("[2001:db8::1/128]");
        assertTrue(one.permits(at("2001:db8::1", 9)));
        assertFalse(one.permits(at("2001:db8::2", 9)));
        assertFalse(one.permits(at("2001:db8::", 9)));

        assertTrue(allow("2001:db8::/32").permits(at("2001:db8::5", 1)), "bare IPv6 without ports");
        assertFalse(allow("[2001:db8::/33]").permits(at("2001:db8:8000::", 1)));
        assertTrue(allow("[2001:db8::/33]").permits(at("2001:db8:7fff::", 1)));
    }

    @Test
    void portsSingleRangeListAndWildcardAddress() {
        DestinationPolicy p = allow("*:22,80,8000-8100");
        assertTrue(p.permits(at("1.2.3.4", 22)));
        assertTrue(p.permits(at("1.2.3.4", 80)));
        assertTrue(p.permits(at("1.2.3.4", 8000)));
        assertTrue(p.permits(at("1.2.3.4", 8100)));
        assertTrue(p.permits(at("2001:db8::1", 8050)));
        assertFalse(p.permits(at("1.2.3.4", 7999)));
        assertFalse(p.permits(at("1.2.3.4", 8101)));
        assertFalse(p.permits(at("1.2.3.4", 23)));

        DestinationPolicy full = allow("10.0.0.1:1-65535");
        assertTrue(full.permits(at("10.0.0.1", 1)));
        assertTrue(full.permits(at("10.0.0.1", 65535)));
    }

    @Test
    void denyWinsOverAllow() {
        DestinationPolicy p = DestinationPolicy.of(List.of("10.0.0.0/8"), List.of("10.0.0.5", "*:25"));
        assertTrue(p.permits(at("10.0.0.4", 80)));
        assertFalse(p.permits(at("10.0.0.5", 80)));
        assertFalse(p.permits(at("10.9.9.9", 25)));
        assertFalse(p.permits(at("11.0.0.1", 80)), "not in the allow list");
    }

    @Test
    void denyOnlyPermitsTheRest() {
        DestinationPolicy p = deny("169.254.169.254", "[fd00::/8]");
        assertFalse(p.permits(at("169.254.169.254", 80)));
        assertTrue(p.permits(at("169.254.169.253", 80)));
        assertFalse(p.permits(at("fd12::1", 80)));
        assertTrue(p.permits(at("2001:db8::1", 80)));
    }

    @Test
    void ipv4MappedDestinationIsTreatedAsIpv4() throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 5;
        // A true Inet6Address carrying a mapped address (getByAddress would hand back an Inet4Address).
        InetSocketAddress sneaky = new InetSocketAddress(java.net.Inet6Address.getByAddress(null, mapped, -1), 22);
        assertInstanceOf(java.net.Inet6Address.class, sneaky.getAddress());
        assertFalse(deny("10.0.0.0/8").permits(sneaky));
        assertTrue(allow("10.0.0.5:22").permits(sneaky));
        assertFalse(allow("[::/0]").permits(sneaky), "an IPv6 rule does not match a mapped IPv4");
    }

    @Test
    void ipv4MappedRuleIsTreatedAsIpv4() {
        DestinationPolicy p = deny("[::ffff:10.0.0.0/104]");
        assertFalse(p.permits(at("10.1.2.3", 80)));
        assertTrue(p.permits(at("11.1.2.3", 80)));
        assertEquals("10.0.0.0/8:22", DestinationPolicy.Rule.parse("[::ffff:10.0.0.0/104]:22").toString());
    }

    @Test
    void hostBitsAreMasked() {
        assertEquals("10.0.0.0/8", DestinationPolicy.Rule.parse("10.1.2.3/8").toString());
        assertTrue(allow("10.1.2.3/8").permits(at("10.200.0.1", 1)));
    }

    @Test
    void canonicalText() {
        assertEquals("*:22,80-90", DestinationPolicy.Rule.parse("*:22,80-90").toString());
        assertEquals("[2001:db8::/32]:443", DestinationPolicy.Rule.parse("[2001:db8::/32]:443").toString());
        assertEquals("allow 10.0.0.0/8; deny *:25",
                DestinationPolicy.of(List.of("10.0.0.0/8"), List.of("*:25")).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/33", "[::/129]", "10.0.0.0/-1", "10.0.0.0/x", "300.1.1.1", "10.1",
            "example.com", "example.com:80", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:", "10.0.0.1:80-22",
            "10.0.0.1:a", "10.0.0.1:22,", "*:", "[2001:db8::1", "[2001:db8::1]x", "[10.0.0.1]:80", "2001:db8::zz",
            "/8", ":80"})
    void badRulesAreRefusedNamingTheRule(String rule) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DestinationPolicy.of(List.of("10.0.0.0/8"), List.of(rule)));
        assertTrue(e.getMessage().startsWith("bad rule '" + rule + "': "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
