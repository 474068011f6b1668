package dev.ferry.frontend;

import dev.ferry.tunnel.bridge.AccessLog;
import dev.ferry.tunnel.bridge.SocketStreamBridge;
import dev.ferry.tunnel.control.SessionSource;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.wire.Destination;
import dev.ferry.tunnel.wire.OpenStatus;
import dev.ferry.tunnel.wire.ResetReason;
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
 *
 * <p>If the tunnel is lost before the backend answered the open and nothing the client sent has left, the open is
 * made again (at most {@link #MAX_OPEN_ATTEMPTS} in all) through the tunnel up then: with several backends, another
 * one. Once payload has left it is not: the destination may have seen it. An open the backend refused because it
 * crossed its GO_AWAY is made again with its first bytes: the backend never looked at it.
 */
public final class ClientBridge extends SocketStreamBridge {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClientBridge.class);
    static final long FIRST_BYTES_WAIT_MILLIS = 1;
    /** Opens tried for one connection: the first, and again after each tunnel lost before it answered. */
    static final int MAX_OPEN_ATTEMPTS = 3;

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
    private boolean answered;
    private int attempts;
    /** The open's first bytes, kept until it is answered: a backend that refuses it while draining never saw them. */
    private ByteBuf firstCopy;
    private int firstSent;

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
        withTunnel(this::begin);
    }

    /** Waits (bounded) for a tunnel, then runs {@code then} with it on its loop; without one, the client goes. */
    private void withTunnel(java.util.function.Consumer<MuxSession> then) {
        tunnels.acquire(openWait).addListener(f -> {
            if (!f.isSuccess()) {
                fail("no_tunnel");
                return;
            }
            MuxSession s = (MuxSession) f.getNow();
            sessionLoop = s.eventLoop();
            sessionLoop.execute(() -> then.accept(s));
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
        if (session == null) {
            hold(first); // between a lost tunnel and the next: kept for the open on it
            eofEarly |= fin;
            return;
        }
        if (!session.acceptsNewStreams() && attempts < MAX_OPEN_ATTEMPTS) {
            hold(first); // the tunnel went (or was told to go away) between the pick and now: another one
            eofEarly |= fin;
            session = null;
            retry();
            return;
        }
        opened = true;
        attempts++;
        releaseFirstCopy();
        firstSent = first.readableBytes();
        firstCopy = first.isReadable() ? first.retainedDuplicate() : null;
        stream = session.open(target, first, fin, this);
        if (stream == null) {
            releaseFirstCopy();
            fail("no_tunnel");
            return;
        }
        if (stream.isWritable()) {
            requestRead();
        }
    }

    @Override
    public void onOpenResult(OpenStatus status) {
        if (status != OpenStatus.OK && refusedUnseen() && mayOpenAgain(true)) {
            // Opened just as the backend began to drain: it answered past its GO_AWAY's last stream and never
            // looked at the stream, so even its first bytes can go again, elsewhere.
            openAgain(true);
            return;
        }
        releaseFirstCopy();
        answered = true;
        tell(status);
        super.onOpenResult(status);
    }

    @Override
    public void onReset(ResetReason reason, boolean byPeer) {
        if (!answered && !byPeer && reason == ResetReason.SHUTDOWN) {
            // The tunnel went before the open was answered. If nothing the client sent has left, the destination
            // cannot have seen anything; if the backend's GO_AWAY said it takes no stream this high, it never
            // looked at it, first bytes and all.
            boolean unseen = refusedUnseen();
            if (mayOpenAgain(unseen)) {
                openAgain(unseen);
                return;
            }
        }
        releaseFirstCopy();
        tell(OpenStatus.FAILED); // no open result came (the tunnel went, or the peer reset): the client still hears
        super.onReset(reason, byPeer);
    }

    /**
     * Whether the open may go again: attempts left, the client still there, and of what it sent nothing gone but
     * (when {@code firstBytesUnseen}) the open's own first bytes.
     */
    private boolean mayOpenAgain(boolean firstBytesUnseen) {
        long mayHaveLeft = firstBytesUnseen ? firstSent : 0;
        return attempts < MAX_OPEN_ATTEMPTS && socket.isActive() && bytesFromSocket() == mayHaveLeft + held();
    }

    private void openAgain(boolean withFirstBytes) {
        ByteBuf again = firstCopy;
        firstCopy = null;
        if (withFirstBytes && again != null) {
            ByteBuf later = early;
            early = null;
            hold(again);
            if (later != null) {
                hold(later);
            }
        } else if (again != null) {
            again.release();
        }
        retry();
    }

    /** Whether the backend refused the stream without opening it: its GO_AWAY said it takes no stream this high. */
    private boolean refusedUnseen() {
        MuxSession s = session;
        return s != null && stream != null && s.goAwayReceived() && stream.id() > s.peerLastStreamId();
    }

    private void releaseFirstCopy() {
        if (firstCopy != null) {
            firstCopy.release();
            firstCopy = null;
        }
    }

    /** Opens the stream again, with whatever is held, through whichever tunnel is up now (another backend's). */
    private void retry() {
        LOG.info("stream from {} to {}: its tunnel went before the open was answered; opening it again", client,
                target);
        releaseFirstCopy();
        stream = null;
        opened = false;
        session = null;
        withTunnel(this::reopen);
    }

    private void reopen(MuxSession s) {
        if (!socket.isActive()) {
            releaseEarly();
            return;
        }
        session = s;
        ByteBuf first = early != null ? early : Unpooled.EMPTY_BUFFER;
        early = null;
        open(first, eofEarly || clientInputDone());
    }

    /** Client bytes read but not sent: they are held for the next open. */
    private long held() {
        return early == null ? 0 : early.readableBytes();
    }

    private void hold(ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        if (early == null) {
            early = Unpooled.compositeBuffer();
        }
        early.addComponent(true, data);
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
        releaseFirstCopy();
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
