package dev.ferry.backend;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which destinations streams may reach, decided on the resolved address and port.
 *
 * <p>Rule syntax ({@code --allow} / {@code --deny}): {@code ADDRESS[:PORTS]} where ADDRESS is an IPv4 address or
 * CIDR ({@code 10.0.0.0/8}), an IPv6 one in brackets ({@code [2001:db8::/32]}, brackets may be left off when no
 * ports follow), or {@code *} for any address; PORTS is {@code N}, {@code N-M} or a comma list of those
 * ({@code 22,80,8000-8100}); no PORTS means every port.
 *
 * <p>Decision: a destination matching any deny rule is refused (deny wins); otherwise, when there are allow rules,
 * it must match one of them; with no allow rules everything not denied is permitted. IPv4-mapped IPv6 addresses
 * ({@code ::ffff:a.b.c.d}), in rules and in destinations, are treated as the IPv4 address they carry, so a mapped
 * address cannot slip past an IPv4 rule. An IPv6 rule never matches an IPv4 destination and vice versa.
 *
 * <p>Immutable and thread-safe.
 */
public final class DestinationPolicy {
    private static final DestinationPolicy ALLOW_ALL = new DestinationPolicy(List.of(), List.of());

    private final List<Rule> allow;
    private final List<Rule> deny;

    private DestinationPolicy(List<Rule> allow, List<Rule> deny) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
    }

    public static DestinationPolicy allowAll() {
        return ALLOW_ALL;
    }

    /**
     * Parses both rule lists.
     *
     * @throws IllegalArgumentException with a one-line message naming the first bad rule
     */
    public static DestinationPolicy of(List<String> allowRules, List<String> denyRules) {
        List<Rule> allow = allowRules.stream().map(Rule::parse).toList();
        List<Rule> deny = denyRules.stream().map(Rule::parse).toList();
        return allow.isEmpty() && deny.isEmpty() ? ALLOW_ALL : new DestinationPolicy(allow, deny);
    }

    /**
     * Decides on a resolved address (domains are checked after resolution, so DNS cannot bypass a rule). An
     * unresolved address is refused: there is nothing to decide on.
     */
    public boolean permits(InetSocketAddress resolved) {
        if (resolved.isUnresolved()) {
            return false;
        }
        if (allow.isEmpty() && deny.isEmpty()) {
            return true;
        }
        byte[] ip = canonical(resolved.getAddress().getAddress());
        int port = resolved.getPort();
        for (Rule r : deny) {
            if (r.matches(ip, port)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Rule r : allow) {
            if (r.matches(ip, port)) {
                return true;
            }
        }
        return false;
    }

    /** True when no rule restricts anything. */
    public boolean isAllowAll() {
        return allow.isEmpty() && deny.isEmpty();
    }

    @Override
    public String toString() {
        if (isAllowAll()) {
            return "allow all";
        }
        String a = allow.isEmpty() ? "all" : allow.stream().map(Rule::toString).collect(Collectors.joining(" "));
        String d = deny.isEmpty() ? "none" : deny.stream().map(Rule::toString).collect(Collectors.joining(" "));
        return "allow " + a + "; deny " + d;
    }

    /** IPv4-mapped IPv6 becomes its 4-byte IPv4 form; everything else is returned as is. */
    static byte[] canonical(byte[] ip) {
        if (ip.length == 16 && isMapped(ip)) {
            return Arrays.copyOfRange(ip, 12, 16);
        }
        return ip;
    }

    private static boolean isMapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    /**
     * One parsed rule: an address block (or any address) and a port set (or every port). The network bytes are
     * stored with the host bits cleared, as iptables does, so {@code 10.1.2.3/8} means {@code 10.0.0.0/8}.
     */
    public static final class Rule {
        private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
        private static final Pattern NUMBER = Pattern.compile("\\d{1,5}");

        private final byte[] network; // null = any address
        private final int prefix;
        private final int[] portRanges; // pairs of inclusive [from, to]; empty = every port

        private Rule(byte[] network, int prefix, int[] portRanges) {
            this.network = network;
            this.prefix = prefix;
            this.portRanges = portRanges;
        }

        /** @throws IllegalArgumentException {@code bad rule 'TEXT': reason} */
        public static Rule parse(String text) {
            Objects.requireNonNull(text, "rule");
            try {
                return parseChecked(text.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad rule '" + text + "': " + e.getMessage());
            }
        }

        private static Rule parseChecked(String s) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            String addr;
            String ports;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("missing ']'");
                }
                addr = s.substring(1, close);
                String rest = s.substring(close + 1);
                if (rest.isEmpty()) {
                    ports = null;
                } else if (rest.startsWith(":")) {
                    ports = rest.substring(1);
                } else {
                    throw new IllegalArgumentException("expected ':PORTS' after ']'");
                }
                if (!addr.contains(":")) {
                    throw new IllegalArgumentException("brackets are for IPv6 addresses");
                }
            } else {
                int first = s.indexOf(':');
                if (first >= 0 && s.indexOf(':', first + 1) >= 0) {
                    addr = s; // bare IPv6 (no ports possible without brackets)
                    ports = null;
                } else if (first >= 0) {
                    addr = s.substring(0, first);
                    ports = s.substring(first + 1);
                } else {
                    addr = s;
                    ports = null;
                }
            }
            int[] portRanges = ports == null ? new int[0] : parsePorts(ports);
            if (addr.equals("*")) {
                return new Rule(null, 0, portRanges);
            }
            int slash = addr.indexOf('/');
            String ipText = slash < 0 ? addr : addr.substring(0, slash);
            byte[] ip = parseIp(ipText);
            int max = ip.length * 8;
            int prefix = max;
            if (slash >= 0) {
                String len = addr.substring(slash + 1);
                if (!NUMBER.matcher(len).matches() || Integer.parseInt(len) > max) {
                    throw new IllegalArgumentException("prefix length must be 0 to " + max);
                }
                prefix = Integer.parseInt(len);
            }
            if (ip.length == 16 && isMapped(ip) && prefix >= 96) {
                ip = Arrays.copyOfRange(ip, 12, 16);
                prefix -= 96;
            }
            return new Rule(mask(ip, prefix), prefix, portRanges);
        }

        private static byte[] parseIp(String text) {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("missing address (use '*' for any)");
            }
            try {
                if (text.contains(":")) {
                    // Inet6Address.ofLiteral turns a mapped literal into an Inet4Address; keep all 16 bytes.
                    InetAddress a = Inet6Address.ofLiteral(text);
                    return a instanceof Inet4Address v4 ? mapped(v4.getAddress()) : a.getAddress();
                }
                if (IPV4.matcher(text).matches()) {
                    return Inet4Address.ofLiteral(text).getAddress();
                }
            } catch (IllegalArgumentException e) {
                // fall through to the message below
            }
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR (names are not allowed)");
        }

        private static byte[] mapped(byte[] v4) {
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(v4, 0, b, 12, 4);
            return b;
        }

        private static int[] parsePorts(String text) {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("missing ports after ':'");
            }
            List<Integer> out = new ArrayList<>();
            for (String part : text.split(",", -1)) {
                int dash = part.indexOf('-');
                int from = port(dash < 0 ? part : part.substring(0, dash));
                int to = dash < 0 ? from : port(part.substring(dash + 1));
                if (from > to) {
                    throw new IllegalArgumentException("port range " + part + " is backwards");
                }
                out.add(from);
                out.add(to);
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        private static int port(String text) {
            if (!NUMBER.matcher(text).matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a port (ports: N, N-M or a comma list)");
            }
            int p = Integer.parseInt(text);
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is outside 1 to 65535");
            }
            return p;
        }

        private static byte[] mask(byte[] ip, int prefix) {
            byte[] m = ip.clone();
            for (int bit = prefix; bit < m.length * 8; bit++) {
                m[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
            }
            return m;
        }

        /** {@code ip} must already be canonical (mapped IPv6 reduced to 4 bytes). */
        boolean matches(byte[] ip, int port) {
            return matchesAddress(ip) && matchesPort(port);
        }

        private boolean matchesAddress(byte[] ip) {
            if (network == null) {
                return true;
            }
            if (ip.length != network.length) {
                return false;
            }
            int full = prefix >>> 3;
            for (int i = 0; i < full; i++) {
                if (ip[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix & 7;
            if (rest == 0) {
                return true;
            }
            int m = (0xff << (8 - rest)) & 0xff;
            return (ip[full] & m) == (network[full] & 0xff);
        }

        private boolean matchesPort(int port) {
            if (portRanges.length == 0) {
                return true;
            }
            for (int i = 0; i < portRanges.length; i += 2) {
                if (port >= portRanges[i] && port <= portRanges[i + 1]) {
                    return true;
                }
            }
            return false;
        }

        /** Canonical text, e.g. {@code 10.0.0.0/8:22,80-90} or {@code [2001:db8::/32]:443}. */
        @Override
        public String toString() {
            String a;
            if (network == null) {
                a = "*";
            } else {
                String host = hostString(network);
                boolean whole = prefix == network.length * 8;
                a = network.length == 16 ? "[" + host + (whole ? "" : "/" + prefix) + "]"
                        : host + (whole ? "" : "/" + prefix);
            }
            if (portRanges.length == 0) {
                return a;
            }
            StringBuilder sb = new StringBuilder(a).append(':');
            for (int i = 0; i < portRanges.length; i += 2) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(portRanges[i]);
                if (portRanges[i + 1] != portRanges[i]) {
                    sb.append('-').append(portRanges[i + 1]);
                }
            }
            return sb.toString();
        }

        private static String hostString(byte[] ip) {
            try {
                return NetUtil.toAddressString(InetAddress.getByAddress(ip)); // RFC 5952: 2001:db8::
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen for 4- or 16-byte arrays
            }
        }
    }
}
