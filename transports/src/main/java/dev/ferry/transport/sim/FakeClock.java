package dev.ferry.transport.sim;

/**
 * A millisecond clock that moves only when told to, and never backwards. For drivers that run engines and
 * {@link SimulatedLink}s in simulated time. Not thread-safe: one driver owns it.
 */
public final class FakeClock {
    private long nowMillis;

    public FakeClock(long startMillis) {
        this.nowMillis = startMillis;
    }

    public long nowMillis() {
        return nowMillis;
    }

    /** @throws IllegalArgumentException if {@code millis} is before the current time */
    public void advanceTo(long millis) {
        if (millis < nowMillis) {
            throw new IllegalArgumentException("clock cannot go back from " + nowMillis + " ms to " + millis + " ms");
        }
        nowMillis = millis;
    }

    /** @throws IllegalArgumentException if {@code millis} is negative */
    public void advanceBy(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("cannot advance by a negative " + millis + " ms");
        }
        nowMillis = Math.addExact(nowMillis, millis);
    }

    @Override
    public String toString() {
        return "FakeClock[" + nowMillis + " ms]";
    }
}
