package dev.ferry.tunnel.wire;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An allocator that remembers every buffer it hands out, so a test can assert that all of them were released
 * without waiting for the garbage collector to feed Netty's leak detector. Also records the largest capacity asked
 * for, to catch allocations sized from untrusted lengths. One per test; not thread-safe (EmbeddedChannel runs on the
 * test thread).
 */
final class TrackingAllocator implements ByteBufAllocator {

    private final ByteBufAllocator delegate = new UnpooledByteBufAllocator(true, false);
    private final List<ByteBuf> allocated = new ArrayList<>();
    private int largestRequest;

    /** Fails naming every buffer from this allocator that is still referenced. */
    void assertAllReleased() {
        List<ByteBuf> live = allocated.stream().filter(b -> b.refCnt() != 0).toList();
        if (!live.isEmpty()) {
            fail(live.size() + " of " + allocated.size() + " buffers not released: "
                    + live.stream().map(b -> b + " refCnt=" + b.refCnt()).collect(Collectors.joining(", ")));
        }
    }

    int allocations() {
        return allocated.size();
    }

    int largestRequest() {
        return largestRequest;
    }

    private <B extends ByteBuf> B track(B buf, int requested) {
        allocated.add(buf);
        largestRequest = Math.max(largestRequest, requested);
        return buf;
    }

    @Override public ByteBuf buffer() { return track(delegate.buffer(), 0); }
    @Override public ByteBuf buffer(int initial) { return track(delegate.buffer(initial), initial); }
    @Override public ByteBuf buffer(int initial, int max) { return track(delegate.buffer(initial, max), initial); }
    @Override public ByteBuf ioBuffer() { return track(delegate.ioBuffer(), 0); }
    @Override public ByteBuf ioBuffer(int initial) { return track(delegate.ioBuffer(initial), initial); }
    @Override public ByteBuf ioBuffer(int initial, int max) { return track(delegate.ioBuffer(initial, max), initial); }
    @Override public ByteBuf heapBuffer() { return track(delegate.heapBuffer(), 0); }
    @Override public ByteBuf heapBuffer(int initial) { return track(delegate.heapBuffer(initial), initial); }
    @Override public ByteBuf heapBuffer(int initial, int max) {
        return track(delegate.heapBuffer(initial, max), initial);
    }
    @Override public ByteBuf directBuffer() { return track(delegate.directBuffer(), 0); }
    @Override public ByteBuf directBuffer(int initial) { return track(delegate.directBuffer(initial), initial); }
    @Override public ByteBuf directBuffer(int initial, int max) {
        return track(delegate.directBuffer(initial, max), initial);
    }
    @Override public CompositeByteBuf compositeBuffer() { return track(delegate.compositeBuffer(), 0); }
    @Override public CompositeByteBuf compositeBuffer(int n) { return track(delegate.compositeBuffer(n), 0); }
    @Override public CompositeByteBuf compositeHeapBuffer() { return track(delegate.compositeHeapBuffer(), 0); }
    @Override public CompositeByteBuf compositeHeapBuffer(int n) {
        return track(delegate.compositeHeapBuffer(n), 0);
    }
    @Override public CompositeByteBuf compositeDirectBuffer() { return track(delegate.compositeDirectBuffer(), 0); }
    @Override public CompositeByteBuf compositeDirectBuffer(int n) {
        return track(delegate.compositeDirectBuffer(n), 0);
    }
    @Override public boolean isDirectBufferPooled() { return delegate.isDirectBufferPooled(); }
    @Override public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
