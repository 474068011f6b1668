package dev.ferry.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Counts the streams a backend has opened since start; status and tests can await a count. Thread-safe. */
final class StreamTally {
    private long opened;
    private final List<Map.Entry<Long, CompletableFuture<Void>>> waiting = new ArrayList<>();

    synchronized void opened() {
        opened++;
        waiting.removeIf(w -> {
            if (opened >= w.getKey()) {
                w.getValue().complete(null);
                return true;
            }
            return false;
        });
    }

    synchronized long get() {
        return opened;
    }

    synchronized CompletableFuture<Void> whenReached(long n) {
        var f = new CompletableFuture<Void>();
        if (opened >= n) {
            f.complete(null);
        } else {
            waiting.add(Map.entry(n, f));
        }
        return f;
    }
}
