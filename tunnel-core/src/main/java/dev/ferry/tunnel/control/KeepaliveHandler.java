package dev.ferry.tunnel.control;

import dev.ferry.tunnel.wire.Frame;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Sends a PING every interval, answers the peer's PINGs, measures RTT from PONGs, and closes the tunnel when
 * nothing at all has been heard for {@code deadAfter}: a dead or silent peer is detected even when no stream is
 * active. Time comes from the event loop's ticker, so tests drive it with a mock ticker.
 */
public final class KeepaliveHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(KeepaliveHandler.class);

    private final long intervalNanos;
    private final long deadAfterNanos;
    private final TunnelHealth health;
    /** Send times of pings not yet answered, oldest first; the opaque value of a ping is its send time. */
    private final ArrayDeque<Long> outstanding = new ArrayDeque<>();
    private ScheduledFuture<?> ticker;
    private long lastHeard;

    public KeepaliveHandler(Duration interval, Duration deadAfter, TunnelHealth health) {
        this.intervalNanos = interval.toNanos();
        this.deadAfterNanos = deadAfter.toNanos();
        this.health = health;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastHeard = now(ctx);
        health.onUp(lastHeard);
        ticker = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), intervalNanos, intervalNanos,
                TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ticker.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ticker.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long t = now(ctx);
        lastHeard = t;
        if (msg instanceof Frame.Ping p) {
            ctx.writeAndFlush(new Frame.Pong(p.opaque()), ctx.voidPromise());
        } else if (msg instanceof Frame.Pong p) {
            if (outstanding.remove(p.opaque())) {
                health.onPong(t - p.opaque(), t);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void tick(ChannelHandlerContext ctx) {
        long t = now(ctx);
        if (t - lastHeard >= deadAfterNanos) {
            LOG.warn("tunnel {} dead: nothing heard for {} ms", ctx.channel().remoteAddress(),
                    (t - lastHeard) / 1_000_000);
            ctx.close();
            return;
        }
        while (!outstanding.isEmpty() && t - outstanding.peekFirst() >= deadAfterNanos) {
            outstanding.pollFirst();
            health.onPingLost();
        }
        outstanding.addLast(t);
        health.onPingSent();
        ctx.writeAndFlush(new Frame.Ping(t), ctx.voidPromise());
    }

    private static long now(ChannelHandlerContext ctx) {
        return ctx.executor().ticker().nanoTime();
    }
}
