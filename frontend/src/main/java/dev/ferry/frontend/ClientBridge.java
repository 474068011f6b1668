package dev.ferry.frontend;

import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.bridge.SocketStreamBridge;
import dev.ferry.tunnel.control.SessionSource;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.OpenStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The frontend's end of a stream: one accepted client connection. It waits (bounded) for a tunnel, then opens the
 * stream with whatever the client sent first, so a client-speaks-first request costs no extra round trip; for
 * protocols where the server speaks first the open goes out after {@link #FIRST_BYTES_WAIT_MILLIS} anyway.
 *
 * <p>A bridge may join a connection that is already up (a SOCKS5 connection once its request is read): it starts
 * when added then, with the bytes that came after the request as its first bytes, and tells the {@link OpenReply}
 * how the open went before any byte of the destination reaches the client.
 */
public final class ClientBridge extends SocketStreamBridge {
    static final long FIRST_BYTES_WAIT_MILLIS = 1;

    /** Told the outcome of the open once, on the tunnel's loop, before the first byte from the destination. */
    public interface OpenReply {
        OpenReply NONE = status -> { };

        void opened(OpenStatus status);
    }

    private final Destination target;
    private final SessionSource tunnels;
    private final Duration openWait;
    private final OpenReply reply;
    private final long firstBytesWaitMillis;
    private CompositeByteBuf early;
    private boolean started;
    private String client;
    private MuxSession session;
    private boolean opened;
    private boolean replied;
    private boolean eofEarly;

    /** A bridge for a {@code -L} forward or a redirected connection: waits briefly for the client's first bytes. */
    ClientBridge(Destination target, SessionSource tunnels, Duration openWait, AccessLog accessLog) {
        this(target, tunnels, openWait, accessLog, OpenReply.NONE, FIRST_BYTES_WAIT_MILLIS, Unpooled.EMPTY_BUFFER);
    }

    /**
     * A bridge for a connection whose target a protocol named ({@code early}: bytes the client sent behind its
     * request; ownership taken). If the client waits for {@code reply} before it sends, the open goes out at once;
     * if it was answered already, the bridge waits briefly for its first bytes, as for a forward.
     */
    public ClientBridge(Destination target, SessionSource tunnels, Duration openWait, AccessLog accessLog,
                        OpenReply reply, boolean clientWaitsForReply, ByteBuf early) {
        this(target, tunnels, openWait, accessLog, reply, clientWaitsForReply ? 0 : FIRST_BYTES_WAIT_MILLIS, early);
    }

    private ClientBridge(Destination target, SessionSource tunnels, Duration openWait, AccessLog accessLog,
                         OpenReply reply, long firstBytesWaitMillis, ByteBuf early) {
        super(accessLog, true);
        this.target = target;
        this.tunnels = tunnels;
        this.openWait = openWait;
        this.reply = reply;
        this.firstBytesWaitMillis = firstBytesWaitMillis;
        this.early = Unpooled.compositeBuffer();
        if (early.isReadable()) {
            this.early.addComponent(true, early);
        } else {
            early.release();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        start(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseEarly();
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        socket = ctx.channel();
        client = AccessLog.format(ctx.channel().remoteAddress());
        tunnels.acquire(openWait).addListener(f -> {
            if (!f.isSuccess()) {
                fail("no_tunnel");
                return;
            }
            MuxSession s = (MuxSession) f.getNow();
            sessionLoop = s.eventLoop();
            sessionLoop.execute(() -> begin(s));
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Bytes that came before the tunnel (a SOCKS client's data behind its request, or what epoll reads anyway
        // when a client half-closes): held for the open. The socket and the tunnel share one loop here.
        if (session == null && msg instanceof ByteBuf data && early != null) {
            countFromSocket(data.readableBytes());
            early.addComponent(true, data);
            return;
        }
        super.channelRead(ctx, msg);
    }

    private void begin(MuxSession s) {
        if (!socket.isActive()) {
            releaseEarly();
            return;
        }
        session = s;
        requestRead();
        if (early.isReadable() || firstBytesWaitMillis == 0 || eofEarly) {
            ByteBuf first = early;
            early = null;
            open(first, eofEarly);
        } else {
            releaseEarly();
            sessionLoop.schedule(() -> open(Unpooled.EMPTY_BUFFER, false), firstBytesWaitMillis,
                    TimeUnit.MILLISECONDS);
        }
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
        if (session == null) {
            eofEarly = true; // the client sent all it will before the tunnel was there: the open carries the FIN
            return;
        }
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
            fail("no_tunnel");
            return;
        }
        if (stream.isWritable()) {
            requestRead();
        }
    }

    @Override
    public void onOpenResult(OpenStatus status) {
        tell(status);
        super.onOpenResult(status);
    }

    @Override
    public void onReset(dev.ferry.tunnel.wire.ResetReason reason, boolean byPeer) {
        tell(OpenStatus.FAILED); // no open result came (the tunnel went, or the peer reset): the client still hears
        super.onReset(reason, byPeer);
    }

    private void fail(String outcome) {
        setOutcome(outcome);
        tell(OpenStatus.FAILED);
        socket.close();
    }

    private void tell(OpenStatus status) {
        if (!replied) {
            replied = true;
            reply.opened(status);
        }
    }

    private void releaseEarly() {
        if (early != null) {
            early.release();
            early = null;
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
