package dev.ferry.tunnel.control;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from {@code initial} up to {@code max}, each drawn uniformly from the upper half of
 * its step ("equal jitter"), so many frontends that lost the same backend do not return in lockstep. Not
 * thread-safe; the randomness is injected so tests can seed it.
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final RandomGenerator random;
    private int attempts;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The delay before the next attempt. */
    public long nextDelayMillis() {
        long step = initialMillis << Math.min(attempts, 30);
        if (step <= 0 || step > maxMillis) {
            step = maxMillis;
        }
        attempts++;
        long half = step / 2;
        return half + (long) (random.nextDouble() * (step - half + 1));
    }

    /** After a success: the next failure starts from {@code initial} again. */
    public void reset() {
        attempts = 0;
    }

    public int attempts() {
        return attempts;
    }
}
