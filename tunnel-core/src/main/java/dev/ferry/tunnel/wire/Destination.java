package dev.ferry.tunnel.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a stream goes: an IPv4 or IPv6 address, or a domain name the backend resolves, plus a port. Domain names
 * are resolved at the backend, so the frontend's network never sees the lookup.
 */
public record Destination(Kind kind, String host, byte[] address, int port) {

    public enum Kind { IPV4, IPV6, DOMAIN }

    /** Longest domain name on the wire (its length is one byte). */
    public static final int MAX_DOMAIN_LENGTH = WireFormat.MAX_DOMAIN_LENGTH;

    public Destination {
        Objects.requireNonNull(kind, "kind");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        switch (kind) {
            case IPV4 -> require(address != null && address.length == WireFormat.IPV4_LENGTH,
                    "IPv4 address needs 4 bytes");
            case IPV6 -> require(address != null && address.length == WireFormat.IPV6_LENGTH,
                    "IPv6 address needs 16 bytes");
            case DOMAIN -> {
                require(host != null && !host.isEmpty() && host.length() <= MAX_DOMAIN_LENGTH,
                        "domain name must be 1 to 255 characters");
                // One byte per character on the wire: non-ASCII names must be converted (domain() does, via IDNA).
                require(host.chars().allMatch(Destination::isDomainChar),
                        "domain name must be printable ASCII (IDNA-encode it): " + host);
            }
        }
        if (kind == Kind.DOMAIN) {
            address = null;
        } else {
            address = address.clone();
            if (host == null) {
                host = io.netty.util.NetUtil.bytesToIpAddress(address);
            }
        }
    }

    public static Destination of(InetAddress ip, int port) {
        byte[] raw = ip.getAddress();
        return new Destination(raw.length == WireFormat.IPV4_LENGTH ? Kind.IPV4 : Kind.IPV6, ip.getHostAddress(), raw,
                port);
    }

    public static Destination of(InetSocketAddress a) {
        return a.isUnresolved() ? domain(a.getHostString(), a.getPort()) : of(a.getAddress(), a.getPort());
    }

    /** A name the backend resolves. A non-ASCII (internationalised) name is converted to its IDNA ASCII form. */
    public static Destination domain(String name, int port) {
        String ascii = name.chars().allMatch(c -> c < 0x80) ? name : java.net.IDN.toASCII(name);
        return new Destination(Kind.DOMAIN, ascii, null, port);
    }

    /** Whether {@code c} may appear in a domain name on the wire: printable ASCII, no space. */
    static boolean isDomainChar(int c) {
        return c > 0x20 && c < 0x7F;
    }

    /**
     * Parses a literal IP address or takes the text as a domain name; never does a DNS lookup.
     */
    public static Destination parse(String host, int port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        byte[] ip = io.netty.util.NetUtil.createByteArrayFromIpAddressString(h);
        if (ip != null) {
            return new Destination(ip.length == WireFormat.IPV4_LENGTH ? Kind.IPV4 : Kind.IPV6, h, ip, port);
        }
        return domain(h, port);
    }

    @Override
    public byte[] address() {
        return address == null ? null : address.clone();
    }

    /** An unresolved address for domains, a resolved one for IP literals. */
    public InetSocketAddress toSocketAddress() {
        if (kind == Kind.DOMAIN) {
            return InetSocketAddress.createUnresolved(host, port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4- or 16-byte arrays
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Destination d && kind == d.kind && port == d.port
                && (kind == Kind.DOMAIN ? host.equalsIgnoreCase(d.host) : java.util.Arrays.equals(address, d.address));
    }

    @Override
    public int hashCode() {
        return kind == Kind.DOMAIN ? host.toLowerCase(java.util.Locale.ROOT).hashCode() * 31 + port
                : java.util.Arrays.hashCode(address) * 31 + port;
    }

    @Override
    public String toString() {
        String h = kind == Kind.IPV6 ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
