package dev.ferry.tunnel.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The leak check the other wire tests rely on does catch a leak. */
class TrackingAllocatorTest {

    @Test
    void reportsBuffersStillReferenced() {
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf kept = alloc.buffer(16);
        ByteBuf parent = alloc.buffer(16).writeZero(16);
        ByteBuf slice = parent.retainedSlice(0, 4);
        parent.release();
        alloc.buffer(1).release();
        assertEquals(3, alloc.allocations());
        assertThrows(AssertionFailedError.class, alloc::assertAllReleased);
        kept.release();
        assertThrows(AssertionFailedError.class, alloc::assertAllReleased, "a live slice keeps its parent live");
        slice.release();
        alloc.assertAllReleased();
    }
}
