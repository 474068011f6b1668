package dev.ferry.frontend;

import dev.ferry.frontend.socks.SocksService;
import dev.ferry.frontend.socks.SocksUsers;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A TCP listener whose connections find their destination themselves, unlike a {@code -L} forward with its fixed
 * target: from the firewall ({@link Redirect}) or from the client's own request ({@link Socks}).
 */
public sealed interface Entrance {
    InetSocketAddress bind();

    /** {@code --redirect [BIND:]PORT}: connections iptables/nftables REDIRECTed here; SO_ORIGINAL_DST says where to. */
    record Redirect(InetSocketAddress bind) implements Entrance {
    }

    /**
     * {@code --tproxy [BIND:]PORT}: TCP connections and UDP datagrams an iptables/nftables TPROXY rule delivers here,
     * each still addressed to where it was going.
     */
    record Tproxy(InetSocketAddress bind) implements Entrance {
    }

    /**
     * {@code --socks [BIND:]PORT}: a SOCKS5 server (CONNECT and UDP ASSOCIATE); {@code users} says whether clients
     * log in; {@code handshakeTimeout} bounds how long a client takes to its command; with {@code fastOpen} a
     * CONNECT is answered at once instead of after the backend's open result ({@code --socks-fast-open}).
     */
    record Socks(InetSocketAddress bind, SocksUsers users, Duration handshakeTimeout, boolean fastOpen)
            implements Entrance {
        public Socks(InetSocketAddress bind, SocksUsers users) {
            this(bind, users, SocksService.DEFAULT_HANDSHAKE_TIMEOUT, false);
        }
    }
}
