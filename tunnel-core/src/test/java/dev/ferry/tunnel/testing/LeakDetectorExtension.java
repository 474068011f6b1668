package dev.ferry.tunnel.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test when Netty's leak detector reports a leaked buffer. Registered for every test class through
 * ServiceLoader autodetection (see the surefire configuration); runs the detector at {@code paranoid} so every
 * buffer is tracked. The detector finds leaks when the garbage collector reclaims an unreleased buffer, so after
 * each test it collects and then allocates (allocation is when the detector polls its queue).
 */
public final class LeakDetectorExtension implements AfterEachCallback, AfterAllCallback {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        check(context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        check(context.getDisplayName() + " (after all)");
    }

    static void check(String where) {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
            List<ByteBuf> probe = new ArrayList<>();
            for (int j = 0; j < 16; j++) {
                probe.add(ByteBufAllocator.DEFAULT.buffer(16));
                probe.add(UnpooledByteBufAllocator.DEFAULT.heapBuffer(16));
            }
            probe.forEach(ByteBuf::release);
        }
        if (!LEAKS.isEmpty()) {
            List<String> found = new ArrayList<>();
            for (String s; (s = LEAKS.poll()) != null; ) {
                found.add(s);
            }
            fail("Netty reported " + found.size() + " leaked buffer(s) by the end of " + where + ":\n"
                    + String.join("\n----\n", found));
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
                @Override
                protected boolean needReport() {
                    return true;
                }

                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    LEAKS.add(resourceType + " leaked:" + records);
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add(resourceType + " leaked (no records)");
                    super.reportUntracedLeak(resourceType);
                }
            };
        }
    }
}
