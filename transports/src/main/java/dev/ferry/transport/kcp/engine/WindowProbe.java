package dev.ferry.transport.kcp.engine;

/**
 * When to ask a peer that advertised a zero window whether it has room again (WASK). The peer announces a reopened
 * window by itself (WINS), but that packet can be lost; the probe bounds the stall. First probe after
 * {@link #INITIAL_WAIT_MILLIS}, then each wait x1.5 up to {@link #MAX_WAIT_MILLIS}. Shorter than the C original's
 * 7 s / 120 s: a lost WINS should cost about a second, and a probe is one 24-byte packet.
 */
final class WindowProbe {
    static final long INITIAL_WAIT_MILLIS = 1000;
    static final long MAX_WAIT_MILLIS = 10_000;

    private boolean active;
    private long waitMillis;
    private long probeAt;

    /** The window is closed and we have data: returns true when a WASK is due now (and arms the next one). */
    boolean due(long now) {
        if (!active) {
            active = true;
            waitMillis = INITIAL_WAIT_MILLIS;
            probeAt = now + waitMillis;
            return false;
        }
        if (now < probeAt) {
            return false;
        }
        waitMillis = Math.min(waitMillis + waitMillis / 2, MAX_WAIT_MILLIS);
        probeAt = now + waitMillis;
        return true;
    }

    /** The window is open (or we have nothing to send): forget the schedule. */
    void stop() {
        active = false;
    }

    boolean active() {
        return active;
    }

    long probeAt() {
        return probeAt;
    }
}
