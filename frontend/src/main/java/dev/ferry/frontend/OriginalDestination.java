package dev.ferry.frontend;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Where a connection that iptables/nftables REDIRECTed to us was going before: the kernel keeps it in the
 * connection's conntrack entry and hands it out through {@code getsockopt(SO_ORIGINAL_DST)} (level SOL_IP for IPv4,
 * SOL_IPV6 for IPv6; the answer is a {@code sockaddr_in} or {@code sockaddr_in6}). Netty has no getter for it, but its
 * epoll channels pass raw socket options through. A connection that was not redirected answers with its own local
 * address, or, when no NAT rule has been set up at all, with ENOENT: the kernel tracks no translation for it.
 */
final class OriginalDestination {
    private static final int SO_ORIGINAL_DST = 80;
    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    private static final ChannelOption<ByteBuffer> IPV4 =
            new RawUnixChannelOption("SO_ORIGINAL_DST", SOL_IP, SO_ORIGINAL_DST, 16);
    private static final ChannelOption<ByteBuffer> IPV6 =
            new RawUnixChannelOption("IP6T_SO_ORIGINAL_DST", SOL_IPV6, SO_ORIGINAL_DST, 28);

    private OriginalDestination() {
    }

    /**
     * The original destination of {@code ch}, an accepted epoll TCP channel.
     *
     * @throws IllegalStateException when the kernel keeps no NAT translation for the connection (it was not
     *                               redirected), or cannot be asked (not an epoll channel)
     */
    static InetSocketAddress of(Channel ch) {
        InetAddress peer = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        // An IPv4 client on a dual-stack listener shows as ::ffff:a.b.c.d; conntrack knows it as IPv4.
        boolean v4 = peer instanceof Inet4Address || isMapped(peer.getAddress());
        ByteBuffer raw;
        try {
            raw = ch.config().getOption(v4 ? IPV4 : IPV6);
        } catch (RuntimeException e) {
            // ENOENT in practice: no NAT rule has touched the connection (Netty reports only the message).
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the kernel has no NAT record of it (SO_ORIGINAL_DST: "
                    + cause.getMessage() + ")", e);
        }
        if (raw == null) {
            throw new IllegalStateException("getsockopt(SO_ORIGINAL_DST) is not available on " + ch.getClass()
                    .getSimpleName() + " (needs the epoll transport)");
        }
        return decode(raw, v4);
    }

    /** Decodes a {@code sockaddr_in} (port at 2, address at 4) or {@code sockaddr_in6} (port at 2, address at 8). */
    static InetSocketAddress decode(ByteBuffer raw, boolean v4) {
        int port = ((raw.get(2) & 0xFF) << 8) | (raw.get(3) & 0xFF);
        byte[] address = new byte[v4 ? 4 : 16];
        raw.get(v4 ? 4 : 8, address);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4- or 16-byte arrays
        }
    }

    private static boolean isMapped(byte[] ip) {
        if (ip.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xFF && ip[11] == (byte) 0xFF;
    }
}
