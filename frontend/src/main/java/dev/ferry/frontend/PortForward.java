package dev.ferry.frontend;

import dev.ferry.tunnel.wire.Destination;

import java.net.InetSocketAddress;

/** One {@code -L [BIND:]PORT=HOST:PORT}: connections accepted at {@code bind} go to {@code target}. */
public record PortForward(InetSocketAddress bind, Destination target) {
}
