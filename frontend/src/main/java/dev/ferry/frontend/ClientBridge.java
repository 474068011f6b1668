package dev.ferry.frontend;

import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.bridge.SocketStreamBridge;
import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.wire.Destination;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The frontend's end of a stream: one accepted client connection. It waits (bounded) for a tunnel, then opens the
 * stream with whatever the client sent first, so a client-speaks-first request costs no extra round trip; for
 * protocols where the server speaks first the open goes out after {@link #FIRST_BYTES_WAIT_MILLIS} anyway.
 */
final class ClientBridge extends SocketStreamBridge {
    static final long FIRST_BYTES_WAIT_MILLIS = 1;

    private final Destination target;
    private final TunnelClient tunnels;
    private final Duration openWait;
    private String client;
    private MuxSession session;
    private boolean opened;

    ClientBridge(Destination target, TunnelClient tunnels, Duration openWait, AccessLog accessLog) {
        super(accessLog, true);
        this.target = target;
        this.tunnels = tunnels;
        this.openWait = openWait;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        client = AccessLog.format(ctx.channel().remoteAddress());
        tunnels.acquire(openWait).addListener(f -> {
            if (!f.isSuccess()) {
                setOutcome("no_tunnel");
                socket.close();
                return;
            }
            MuxSession s = (MuxSession) f.getNow();
            sessionLoop = s.eventLoop();
            sessionLoop.execute(() -> begin(s));
        });
    }

    private void begin(MuxSession s) {
        if (!socket.isActive()) {
            return;
        }
        session = s;
        socket.read();
        sessionLoop.schedule(() -> open(Unpooled.EMPTY_BUFFER, false), FIRST_BYTES_WAIT_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    protected void beforeOpen(ByteBuf data) {
        if (opened) {
            data.release(); // cannot happen: after the open, data goes to the stream
            return;
        }
        open(data, false);
    }

    @Override
    protected void eofBeforeOpen() {
        open(Unpooled.EMPTY_BUFFER, true);
    }

    private void open(ByteBuf first, boolean fin) {
        if (opened || !socket.isActive()) {
            first.release();
            return;
        }
        opened = true;
        stream = session.open(target, first, fin, this);
        if (stream == null) {
            setOutcome("no_tunnel");
            socket.close();
            return;
        }
        if (stream.isWritable()) {
            requestRead();
        }
    }

    @Override
    protected String clientLabel() {
        return client;
    }

    @Override
    protected Object destinationLabel() {
        return target;
    }
}
