package dev.ferry.backend.cli;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A parsed {@code HOST:PORT}: {@code host} is a name or an IP literal without brackets ({@code [::1]:22} gives
 * {@code ::1}); an IPv6 literal needs brackets because of its colons. Parsing never does a DNS lookup.
 */
public record HostPort(String host, int port) {
    private static final Pattern DIGITS = Pattern.compile("\\d{1,5}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NUMERIC_TLD = Pattern.compile(".*(^|\\.)\\d+\\.?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?");

    /**
     * Parses {@code HOST:PORT} with a port of 1 to 65535, or 0 as well when {@code portZeroAllowed}.
     *
     * @throws IllegalArgumentException {@code expected HOST:PORT, got 'TEXT'} or a more precise one-line reason
     */
    public static HostPort parse(String text, boolean portZeroAllowed) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw expected(text);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (literal(host) == null || !host.contains(":")) {
                throw new IllegalArgumentException("'" + host + "' in '" + text + "' is not an IPv6 address");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                throw expected(text);
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("put an IPv6 address in brackets, as in [" + host + "]:" + port
                        + ", got '" + text + "'");
            }
            if (literal(host) == null && (!NAME.matcher(host).matches() || NUMERIC_TLD.matcher(host).matches())) {
                throw new IllegalArgumentException("'" + host + "' in '" + text + "' is not a host name or IP address");
            }
        }
        return new HostPort(host, parsePort(port, text, portZeroAllowed));
    }

    /** A port on its own (as in {@code -L 2222=...}). */
    public static int parsePort(String port, String context, boolean zeroAllowed) {
        if (port.isEmpty()) {
            throw expected(context);
        }
        if (!DIGITS.matcher(port).matches() || Integer.parseInt(port) > 65535
                || (!zeroAllowed && Integer.parseInt(port) == 0)) {
            throw new IllegalArgumentException("port must be " + (zeroAllowed ? "0" : "1") + " to 65535, got '"
                    + port + "'" + (port.equals(context) ? "" : " in '" + context + "'"));
        }
        return Integer.parseInt(port);
    }

    /** The IP literal, or null when {@code host} is a name. */
    public InetAddress literalAddress() {
        return literal(host);
    }

    /** A resolved address for an IP literal, an unresolved one for a name (resolved later, at each connect). */
    public InetSocketAddress toUnresolvedUnlessLiteral() {
        InetAddress ip = literal(host);
        return ip != null ? new InetSocketAddress(ip, port) : InetSocketAddress.createUnresolved(host, port);
    }

    /**
     * A resolved address, looking the name up in DNS if it is one (for addresses to bind to).
     *
     * @throws IllegalArgumentException when the name does not resolve
     */
    public InetSocketAddress resolve() {
        InetAddress ip = literal(host);
        if (ip != null) {
            return new InetSocketAddress(ip, port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve '" + host + "'");
        }
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    @Override
    public String toString() {
        return format(host, port);
    }

    /** {@code host:port} for any socket address, with brackets around IPv6 and no leading slash. */
    public static String format(InetSocketAddress a) {
        return format(a.isUnresolved() || a.getAddress() == null ? a.getHostString()
                : NetUtil.toAddressString(a.getAddress()), a.getPort());
    }

    private static String format(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Only the dotted-quad IPv4 form counts (not the legacy {@code 10.1} = 10.0.0.1), and any IPv6 form. */
    private static InetAddress literal(String host) {
        try {
            if (host.contains(":")) {
                return Inet6Address.ofLiteral(host);
            }
            return IPV4.matcher(host).matches() ? Inet4Address.ofLiteral(host) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static IllegalArgumentException expected(String text) {
        return new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
    }
}
