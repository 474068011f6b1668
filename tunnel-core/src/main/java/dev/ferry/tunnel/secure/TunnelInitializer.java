package dev.ferry.tunnel.secure;

import io.netty.channel.Channel;

/**
 * Called on the channel's event loop once the handshake succeeded and the record layer is in place: adds what runs
 * above the records (frame codec, keepalive, mux) with {@code pipeline().addLast}.
 */
@FunctionalInterface
public interface TunnelInitializer {
    void established(Channel channel, HandshakeResult result);
}
