package dev.ferry.tunnel.mux;

import dev.ferry.tunnel.control.KeepaliveHandler;
import dev.ferry.tunnel.control.TunnelHealth;
import dev.ferry.tunnel.wire.FrameDecoder;
import dev.ferry.tunnel.wire.FrameEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Random or malformed frames after authentication: the tunnel closes (the mux logs why), no exception leaves the
 * pipeline, nothing leaks. The frames layer sits behind the records, so these bytes model a peer that holds the key
 * and misbehaves.
 */
class MalformedAfterAuthTest {
    private static final long SEED = Long.getLong("ferry.test.seed", System.nanoTime());

    private static EmbeddedChannel tunnel() {
        return new EmbeddedChannel(new FrameDecoder(), new FrameEncoder(),
                new KeepaliveHandler(Duration.ofSeconds(2), Duration.ofSeconds(8), new TunnelHealth()),
                MuxSession.server(256 * 1024, 256 * 1024, s -> s.reject(dev.ferry.tunnel.wire.OpenStatus.DENIED),
                        SessionListener.NONE));
    }

    @Test
    void randomBytesCloseTheTunnelWithoutEscaping() {
        SplittableRandom r = new SplittableRandom(SEED);
        int closed = 0;
        for (int i = 0; i < 300; i++) {
            EmbeddedChannel ch = tunnel();
            byte[] junk = new byte[1 + r.nextInt(4096)];
            r.nextBytes(junk);
            ch.writeInbound(Unpooled.wrappedBuffer(junk));
            ch.runPendingTasks();
            ch.checkException(); // throws if anything reached the end of the pipeline unhandled
            if (!ch.isOpen()) {
                closed++;
            }
            ch.finishAndReleaseAll();
        }
        // A random first byte is a valid frame type 9 times in 256; nearly every run must close.
        assertFalse(closed < 250, "only " + closed + " of 300 junk inputs closed the tunnel, seed " + SEED);
    }

    @Test
    void dataForANeverOpenedStreamClosesTheTunnel() {
        EmbeddedChannel ch = tunnel();
        // DATA, stream 7, length 3
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0x03, 0, 0, 0, 0, 7, 0, 3, 1, 2, 3}));
        ch.runPendingTasks();
        ch.checkException();
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void openWithAnEvenStreamIdClosesTheTunnel() {
        EmbeddedChannel ch = tunnel();
        // OPEN, stream 2, IPv4 10.0.0.1:80
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{0x01, 0, 0, 0, 0, 2, 0, 7, 1, 10, 0, 0, 1, 0, 80}));
        ch.runPendingTasks();
        ch.checkException();
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
