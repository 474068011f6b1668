package dev.ferry.tunnel.control;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts what is open (streams, connections) and lets a drain wait until none is left. Thread-safe: incremented and
 * decremented on event loops, awaited on the thread that drains.
 */
public final class ActiveCount {
    private final AtomicInteger count = new AtomicInteger();
    private final CompletableFuture<Void> idleWhileDraining = new CompletableFuture<>();
    private volatile boolean draining;

    public void increment() {
        count.incrementAndGet();
    }

    public void decrement() {
        if (count.decrementAndGet() == 0 && draining) {
            idleWhileDraining.complete(null);
        }
    }

    public int get() {
        return count.get();
    }

    /** True once {@link #awaitZero} was called: no new work should start. */
    public boolean draining() {
        return draining;
    }

    /**
     * Marks the start of a drain and waits until the count reaches zero or {@code timeout} passes.
     *
     * @return true if nothing is left open
     */
    public boolean awaitZero(Duration timeout) throws InterruptedException {
        draining = true;
        if (count.get() == 0) {
            return true;
        }
        try {
            idleWhileDraining.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return count.get() == 0;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never completed exceptionally
        }
    }
}
