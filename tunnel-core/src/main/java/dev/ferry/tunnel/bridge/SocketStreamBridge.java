package dev.ferry.tunnel.bridge;

import dev.ferry.tunnel.mux.MuxStream;
import dev.ferry.tunnel.mux.StreamHandler;
import dev.ferry.tunnel.wire.OpenStatus;
import dev.ferry.tunnel.wire.ResetReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Joins a TCP socket to a mux stream, both ways: bytes, half-close, backpressure and resets.
 *
 * <p>Threading: the socket may live on another event loop than the tunnel; every socket event hops to the
 * session's loop first, so all state here is touched by that loop only. Socket operations (write, autoRead,
 * shutdown, close) are thread-safe in Netty and are called from the session's loop.
 *
 * <p>Backpressure: the socket is read one buffer at a time, only while the stream is writable; received payload
 * is reported consumed only once the socket accepted it, so a slow reader holds back the peer through the window.
 * Half-close: socket EOF becomes FIN; FIN becomes {@code shutdownOutput()} after the last write; the socket is
 * closed once both directions are done.
 */
public abstract class SocketStreamBridge extends ChannelInboundHandlerAdapter implements StreamHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SocketStreamBridge.class);
    private final AccessLog accessLog;
    private final boolean frontendSide;
    private final long startNanos = System.nanoTime();
    protected Channel socket;
    protected volatile EventLoop sessionLoop;
    protected MuxStream stream;
    private ChannelFuture lastWrite;
    private boolean localDone;
    private boolean remoteDone;
    private boolean finished;
    private String outcome;
    private long fromSocket;
    private long toSocket;

    protected SocketStreamBridge(AccessLog accessLog, boolean frontendSide) {
        this.accessLog = accessLog;
        this.frontendSide = frontendSide;
    }

    /** Who the access log names as the client. */
    protected abstract String clientLabel();

    /** The destination the access log names. */
    protected abstract Object destinationLabel();

    /** Socket payload that arrived while no stream exists yet (frontend, before the open). Owns {@code data}. */
    protected void beforeOpen(ByteBuf data) {
        data.release();
    }

    /** Socket EOF while no stream exists yet. */
    protected void eofBeforeOpen() {
    }

    // ---- socket side (any loop) ----

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        socket = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf data)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        onSessionLoop(() -> {
            fromSocket += data.readableBytes();
            if (stream == null) {
                beforeOpen(data);
                return;
            }
            stream.write(data);
            if (stream.isWritable()) {
                requestRead();
            }
        }, data);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            onSessionLoop(() -> {
                localDone = true;
                if (stream == null) {
                    eofBeforeOpen();
                } else {
                    stream.shutdownOutput();
                    closeIfDone();
                }
            }, null);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        onSessionLoop(() -> {
            if (stream != null && !stream.isClosed() && !(localDone && remoteDone)) {
                stream.reset(ResetReason.CONNECTION_RESET);
                finish("reset");
            } else {
                finish(outcome == null ? "closed" : outcome);
            }
        }, null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // An I/O error (connection reset, broken pipe) ends the socket; channelInactive resets the stream.
        LOG.debug("socket {} failed", ctx.channel(), cause);
        ctx.close();
    }

    // ---- stream side (session loop) ----

    @Override
    public void onOpenResult(OpenStatus status) {
        if (status != OpenStatus.OK) {
            outcome = status.name().toLowerCase(java.util.Locale.ROOT);
            socket.close();
        }
    }

    @Override
    public void onData(ByteBuf data) {
        int n = data.readableBytes();
        toSocket += n;
        MuxStream s = stream;
        ChannelFuture f = socket.writeAndFlush(data);
        lastWrite = f;
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                onSessionLoop(() -> s.consumed(n), null);
            } else {
                LOG.debug("write to {} failed", done.channel(), done.cause());
                done.channel().close();
            }
        });
    }

    @Override
    public void onFin() {
        remoteDone = true;
        Runnable shutdown = () -> ((DuplexChannel) socket).shutdownOutput()
                .addListener(done -> onSessionLoop(this::closeIfDone, null));
        if (lastWrite == null || lastWrite.isDone()) {
            shutdown.run();
        } else {
            lastWrite.addListener(done -> shutdown.run());
        }
    }

    @Override
    public void onReset(ResetReason reason, boolean byPeer) {
        outcome = reason == ResetReason.SHUTDOWN && !byPeer ? "tunnel_lost"
                : "reset_" + (byPeer ? "by_peer_" : "") + reason.name().toLowerCase(java.util.Locale.ROOT);
        if (byPeer && socket.isActive()) {
            socket.config().setOption(ChannelOption.SO_LINGER, 0); // pass the reset on as a TCP RST
        }
        socket.close();
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (writable) {
            requestRead();
        }
    }

    /**
     * Asks the socket for one more read. Sockets run with autoRead off and read one buffer at a time, asked for
     * only while the stream is writable: that bounds what a fast sender can push into ferry to one read beyond
     * the stream's queue. Never asks after the input was shut down: re-arming epoll on a half-closed socket fails
     * (Netty 4.2.18: epoll_ctl ENOENT) and closes it.
     */
    protected final void requestRead() {
        Channel ch = socket;
        Runnable r = () -> {
            if (ch.isActive() && !(ch instanceof DuplexChannel d && d.isInputShutdown())) {
                ch.read();
            }
        };
        if (ch.eventLoop().inEventLoop()) {
            r.run();
        } else {
            ch.eventLoop().execute(r);
        }
    }

    // ---- helpers ----

    /** Runs {@code task} on the session's loop; releases {@code owned} if that loop is gone. */
    protected final void onSessionLoop(Runnable task, ByteBuf owned) {
        EventLoop loop = sessionLoop;
        if (loop == null || loop.inEventLoop()) {
            if (loop == null && owned != null) {
                owned.release(); // no session yet and no way to hold it (subclasses hold early bytes themselves)
                return;
            }
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (owned != null) {
                owned.release();
            }
            socket.close();
        }
    }

    private void closeIfDone() {
        if (localDone && remoteDone && (lastWrite == null || lastWrite.isDone())) {
            outcome = "ok";
            socket.close();
        }
    }

    protected final void finish(String result) {
        if (finished) {
            return;
        }
        finished = true;
        long up = frontendSide ? fromSocket : toSocket;
        long down = frontendSide ? toSocket : fromSocket;
        accessLog.connection(clientLabel(), destinationLabel(), up, down,
                (System.nanoTime() - startNanos) / 1_000_000, result);
        finished();
    }

    /** Called once, after the access-log line: the connection is over, its socket closed or never opened. */
    protected void finished() {
    }

    /** Whether the client has shut down its sending side (EOF read). */
    protected final boolean clientInputDone() {
        return localDone;
    }

    /** Bytes read from the socket so far (held, sent or in the open's first bytes). */
    protected final long bytesFromSocket() {
        return fromSocket;
    }

    /** Counts socket bytes a subclass took before the stream existed, for the access log. */
    protected final void countFromSocket(long n) {
        fromSocket += n;
    }

    protected final void setOutcome(String o) {
        outcome = o;
    }
}
