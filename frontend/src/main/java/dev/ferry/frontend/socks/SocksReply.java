package dev.ferry.frontend.socks;

import dev.ferry.tunnel.wire.OpenStatus;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

/** The SOCKS5 replies to a command: what the backend's open result means to a SOCKS client (RFC 1928, section 6). */
final class SocksReply {
    private SocksReply() {
    }

    static Socks5CommandStatus status(OpenStatus open) {
        return switch (open) {
            case OK -> Socks5CommandStatus.SUCCESS;
            case REFUSED -> Socks5CommandStatus.CONNECTION_REFUSED;
            case UNREACHABLE, TIMED_OUT -> Socks5CommandStatus.HOST_UNREACHABLE;
            case DENIED -> Socks5CommandStatus.FORBIDDEN;
            case FAILED -> Socks5CommandStatus.FAILURE;
        };
    }

    /** A reply naming {@code bound} (the address the server uses for the client; for UDP, where to send). */
    static Socks5CommandResponse of(Socks5CommandStatus status, InetSocketAddress bound) {
        boolean v4 = bound.getAddress() instanceof Inet4Address;
        return new DefaultSocks5CommandResponse(status, v4 ? Socks5AddressType.IPv4 : Socks5AddressType.IPv6,
                bound.getAddress().getHostAddress().replaceFirst("%.*$", ""), bound.getPort());
    }

    /** A failure reply, with the all-zero address RFC 1928 leaves to the server. */
    static Socks5CommandResponse failure(Socks5CommandStatus status) {
        return new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4, "0.0.0.0", 0);
    }
}
