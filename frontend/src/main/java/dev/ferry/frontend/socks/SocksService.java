package dev.ferry.frontend.socks;

import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.control.SessionSource;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A SOCKS5 entrance (RFC 1928, with RFC 1929 logins): {@link #accept} starts the SOCKS5 conversation on each admitted
 * connection. CONNECT becomes a stream through the tunnel; UDP ASSOCIATE a flow of datagrams through it. Domain
 * names travel to the backend unresolved, so the LAN never sees the lookup.
 *
 * @param fastOpen   answer a CONNECT at once rather than after the backend's open result: the client's request
 *                   then leaves with the open, a round trip sooner, but a failed open shows only as a closed
 *                   connection
 * @param udpSockets opens the UDP socket of an association, on the tunnel's event loop
 */
public record SocksService(SessionSource tunnel, Duration openWait, AccessLog accessLog, SocksUsers users,
                           Duration handshakeTimeout, boolean fastOpen, UdpSockets udpSockets) {
    /** How long a client may take to get from connecting to its command, by default. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** Opens UDP sockets for associations. */
    public interface UdpSockets {
        /** Binds a UDP socket to {@code local} with {@code handler}, on the tunnel's event loop. */
        ChannelFuture bind(InetSocketAddress local, ChannelHandler handler);
    }

    /** Starts the conversation: its first byte says SOCKS5 or HTTP CONNECT ({@link ProtocolSniffer}). */
    public void accept(Channel ch) {
        ch.pipeline().addLast("sniffer", new ProtocolSniffer(this));
    }
}
