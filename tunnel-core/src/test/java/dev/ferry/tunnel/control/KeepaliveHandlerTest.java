package dev.ferry.tunnel.control;

import dev.ferry.tunnel.wire.Frame;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keepalive on a fake clock: pings, RTT from pongs, answers to pings, and dead-peer detection. */
class KeepaliveHandlerTest {
    private final MockTicker ticker = Ticker.newMockTicker();
    private final TunnelHealth health = new TunnelHealth();

    private EmbeddedChannel channel() {
        return EmbeddedChannel.builder().ticker(ticker)
                .handlers(new KeepaliveHandler(Duration.ofSeconds(2), Duration.ofSeconds(8), health)).build();
    }

    private void advance(EmbeddedChannel ch, long millis) {
        ticker.advance(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void pingsEveryIntervalAndMeasuresRttFromPong() {
        EmbeddedChannel ch = channel();
        assertNull(ch.readOutbound(), "nothing before the first interval");
        advance(ch, 2000);
        Frame.Ping ping = assertInstanceOf(Frame.Ping.class, ch.readOutbound());
        advance(ch, 35);
        ch.writeInbound(new Frame.Pong(ping.opaque()));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(35), health.lastRttNanos());
        assertEquals(1, health.pingsSent());
        assertEquals(0.0, health.lossRatio());
        assertNull(ch.readInbound(), "pongs are consumed by the keepalive");
        ch.finishAndReleaseAll();
    }

    @Test
    void answersPingsWithPongsCarryingTheSameValue() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new Frame.Ping(0x1234_5678_9ABCL));
        Frame.Pong pong = assertInstanceOf(Frame.Pong.class, ch.readOutbound());
        assertEquals(0x1234_5678_9ABCL, pong.opaque());
        ch.finishAndReleaseAll();
    }

    @Test
    void closesWhenNothingIsHeardForTheDeadTime() {
        EmbeddedChannel ch = channel();
        for (int t = 0; t < 7000; t += 1000) {
            advance(ch, 1000);
        }
        assertTrue(ch.isOpen(), "7 s of silence is below the 8 s dead time");
        advance(ch, 1000);
        advance(ch, 1000);
        assertFalse(ch.isOpen(), "closed after 8 s of silence");
        ch.finishAndReleaseAll();
    }

    @Test
    void anyInboundFrameKeepsTheTunnelAlive() {
        EmbeddedChannel ch = channel();
        for (int i = 0; i < 20; i++) {
            advance(ch, 1000);
            ch.writeInbound(new Frame.WindowUpdate(1, 10));
            assertInstanceOf(Frame.WindowUpdate.class, ch.readInbound(), "other frames pass through");
        }
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void unansweredPingsCountAsLost() {
        EmbeddedChannel ch = channel();
        for (int i = 0; i < 6; i++) {
            advance(ch, 2000);
            Object out = ch.readOutbound();
            if (out instanceof Frame.Ping p && i % 2 == 0) {
                ch.writeInbound(new Frame.Pong(p.opaque())); // answer every other ping
            }
        }
        assertTrue(health.pingsLost() >= 1, "lost " + health.pingsLost());
        assertTrue(health.lossRatio() > 0 && health.lossRatio() < 1, "loss " + health.lossRatio());
        ch.finishAndReleaseAll();
    }
}
