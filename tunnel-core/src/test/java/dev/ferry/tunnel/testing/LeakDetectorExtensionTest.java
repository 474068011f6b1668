package dev.ferry.tunnel.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proves the leak check can fail: a buffer dropped without release is reported. */
class LeakDetectorExtensionTest {

    @Test
    void aDroppedBufferFailsTheCheck() {
        AssertionError e = null;
        for (int attempt = 0; attempt < 20 && e == null; attempt++) { // the GC decides when; bounded retries
            leakOne();
            try {
                LeakDetectorExtension.check("self-test");
            } catch (AssertionError found) {
                e = found;
            }
        }
        assertTrue(e != null && e.getMessage().contains("leaked"), "no leak reported after 20 attempts");
        for (int i = 0; i < 3; i++) { // collect the other buffers this test dropped, so the next check is clean
            try {
                LeakDetectorExtension.check("self-test cleanup");
            } catch (AssertionError expected) {
                // those are ours
            }
        }
    }

    private static void leakOne() {
        ByteBuf b = ByteBufAllocator.DEFAULT.buffer(64);
        b.writeLong(42);
        // dropped without release on purpose
    }
}
