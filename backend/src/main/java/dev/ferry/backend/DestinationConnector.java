package dev.ferry.backend;

import dev.ferry.transport.IoRuntime;
import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.control.ActiveCount;
import dev.ferry.tunnel.mux.MuxStream;
import dev.ferry.tunnel.mux.StreamAcceptor;
import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.OpenStatus;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Connects each new stream to its destination: resolves domain names (off the event loop), checks the policy on
 * the resolved address (so a name cannot smuggle a denied address in), connects on the session's event loop, and
 * answers the stream with the outcome.
 */
final class DestinationConnector implements StreamAcceptor {
    private static final Logger LOG = LoggerFactory.getLogger(DestinationConnector.class);

    private final IoRuntime io;
    private final DestinationPolicy policy;
    private final Duration connectTimeout;
    private final Executor resolver;
    private final AccessLog accessLog;
    private final ActiveCount active;
    private final StreamTally opened;

    /**
     * {@code active} counts destination connections from the open until their socket is done; {@code opened} counts
     * every stream opened.
     */
    DestinationConnector(IoRuntime io, DestinationPolicy policy, Duration connectTimeout, Executor resolver,
                         AccessLog accessLog, ActiveCount active, StreamTally opened) {
        this.io = io;
        this.policy = policy;
        this.connectTimeout = connectTimeout;
        this.resolver = resolver;
        this.accessLog = accessLog;
        this.active = active;
        this.opened = opened;
    }

    @Override
    public void onOpen(MuxStream stream) {
        opened.opened();
        Destination d = stream.destination();
        DestinationBridge bridge = new DestinationBridge(stream, accessLog, active);
        if (d.kind() != Destination.Kind.DOMAIN) {
            connect(stream, bridge, d.toSocketAddress());
            return;
        }
        resolver.execute(() -> {
            InetSocketAddress resolved;
            try {
                resolved = new InetSocketAddress(InetAddress.getByName(d.host()), d.port());
            } catch (UnknownHostException e) {
                stream.session().eventLoop().execute(() -> fail(stream, bridge, OpenStatus.UNREACHABLE));
                return;
            }
            stream.session().eventLoop().execute(() -> connect(stream, bridge, resolved));
        });
    }

    private void connect(MuxStream stream, DestinationBridge bridge, InetSocketAddress address) {
        if (stream.isClosed()) {
            bridge.failed("reset_before_connect");
            return;
        }
        if (!policy.permits(address)) {
            LOG.info("stream to {} ({}) denied by policy", stream.destination(), address.getAddress().getHostAddress());
            fail(stream, bridge, OpenStatus.DENIED);
            return;
        }
        ChannelFuture f = new Bootstrap()
                .group(stream.session().eventLoop())
                .channel(io.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(bridge)
                .connect(address);
        f.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                if (stream.isClosed()) {
                    done.channel().close();
                } else {
                    bridge.connected(done.channel());
                }
            } else {
                fail(stream, bridge, statusOf(done.cause()));
            }
        });
    }

    private static void fail(MuxStream stream, DestinationBridge bridge, OpenStatus status) {
        stream.reject(status);
        bridge.failed(status.name().toLowerCase(java.util.Locale.ROOT));
    }

    static OpenStatus statusOf(Throwable cause) {
        Throwable c = cause;
        while (c != null) {
            if (c instanceof ConnectTimeoutException) {
                return OpenStatus.TIMED_OUT;
            }
            if (c instanceof NoRouteToHostException || c instanceof UnknownHostException) {
                return OpenStatus.UNREACHABLE;
            }
            if (c instanceof ConnectException ce) {
                String m = String.valueOf(ce.getMessage()).toLowerCase(java.util.Locale.ROOT);
                if (m.contains("unreachable") || m.contains("no route")) {
                    return OpenStatus.UNREACHABLE;
                }
                return OpenStatus.REFUSED;
            }
            c = c.getCause();
        }
        return OpenStatus.FAILED;
    }
}
