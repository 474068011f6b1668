package dev.ferry.transport.kcp.engine;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Two engines joined by two FIFO packet queues with no delay and (unless a drop rule says so) no loss. Delivery
 * happens only in {@link #deliver}, never from inside an engine's output, because engines are not re-entrant.
 */
final class PacketPipe {
    final KcpEngine a;
    final KcpEngine b;
    private final ArrayDeque<byte[]> toB = new ArrayDeque<>();
    private final ArrayDeque<byte[]> toA = new ArrayDeque<>();
    private Predicate<byte[]> dropToB = p -> false;
    private Predicate<byte[]> dropToA = p -> false;
    long delivered;

    PacketPipe(int conv, KcpConfig configA, KcpConfig configB) {
        a = new KcpEngine(conv, configA, (p, n) -> toB.add(Arrays.copyOf(p, n)));
        b = new KcpEngine(conv, configB, (p, n) -> toA.add(Arrays.copyOf(p, n)));
    }

    void dropToB(Predicate<byte[]> rule) {
        dropToB = rule;
    }

    void dropToA(Predicate<byte[]> rule) {
        dropToA = rule;
    }

    /** Delivers queued packets, including the ones their delivery causes, until both queues are empty. */
    void deliver(long now) {
        while (!toB.isEmpty() || !toA.isEmpty()) {
            byte[] p = toB.poll();
            if (p != null && !dropToB.test(p)) {
                check(b.input(p, 0, p.length, now));
            }
            p = toA.poll();
            if (p != null && !dropToA.test(p)) {
                check(a.input(p, 0, p.length, now));
            }
        }
    }

    int pendingToA() {
        return toA.size();
    }

    int pendingToB() {
        return toB.size();
    }

    private void check(boolean accepted) {
        delivered++;
        if (!accepted) {
            throw new AssertionError("engine refused a packet another engine produced");
        }
    }
}
