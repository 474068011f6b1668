package dev.ferry.tunnel.balance;

import dev.ferry.tunnel.control.TunnelClient;
import dev.ferry.tunnel.mux.MuxSession;
import dev.ferry.tunnel.wire.ControlMessage;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One backend of a {@link BackendPool}: its address, the weight the frontend gave it (0 = as the backend reports),
 * and its {@code --conn} tunnels. Seen by the balancer as a {@link Candidate}. Event loop only.
 */
final class PooledBackend implements Candidate {
    static final long FAILURE_WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final int index;
    private final InetSocketAddress address;
    private final int configuredWeight;
    private final List<TunnelClient> tunnels;
    private final long suspectAfterNanos;

    PooledBackend(int index, InetSocketAddress address, int configuredWeight, List<TunnelClient> tunnels,
                  long suspectAfterNanos) {
        this.index = index;
        this.address = address;
        this.configuredWeight = configuredWeight;
        this.tunnels = List.copyOf(tunnels);
        this.suspectAfterNanos = suspectAfterNanos;
    }

    InetSocketAddress address() {
        return address;
    }

    List<TunnelClient> tunnels() {
        return tunnels;
    }

    /**
     * The tunnel of this backend a new stream should take, or null if none can: up, taking new streams, not
     * draining, and (unless {@code evenSuspect}) heard from lately. Among several, the one with the fewest streams.
     */
    TunnelClient usable(long nowNanos, boolean evenSuspect) {
        TunnelClient best = null;
        int bestStreams = Integer.MAX_VALUE;
        for (TunnelClient t : tunnels) {
            t.retireIfSpent();
            MuxSession s = t.currentSession();
            if (s == null || !s.acceptsNewStreams() || draining(t)) {
                continue;
            }
            if (!evenSuspect && suspect(t, nowNanos)) {
                continue;
            }
            int streams = s.streamCount();
            if (streams < bestStreams) {
                best = t;
                bestStreams = streams;
            }
        }
        return best;
    }

    BackendStatus status(long nowNanos) {
        int up = 0;
        int local = 0;
        long sent = 0;
        long received = 0;
        long reconnects = 0;
        boolean draining = false;
        int reported = -1;
        for (TunnelClient t : tunnels) {
            if (t.currentSession() != null) {
                up++;
            }
            local += t.openStreams();
            draining |= t.draining() || draining(t);
            ControlMessage.LoadReport r = t.load();
            if (r != null) {
                reported = r.activeStreams();
            }
            sent += t.bytesSent();
            received += t.bytesReceived();
            reconnects += Math.max(0, t.tunnelsEstablished() - 1);
        }
        String state;
        if (usable(nowNanos, false) != null) {
            state = "up";
        } else if (usable(nowNanos, true) != null) {
            state = "suspect";
        } else if (draining) {
            state = "draining";
        } else {
            state = "down";
        }
        return new BackendStatus(address, state, up, tunnels.size(), weight(), medianRttNanos(), lossRatio(), reported,
                local, sent, received, reconnects, recentFailures());
    }

    /** Silent for longer than a healthy tunnel ever is: keepalive answers overdue. */
    private boolean suspect(TunnelClient t, long nowNanos) {
        return nowNanos - t.health().lastAnswerNanos() > suspectAfterNanos;
    }

    private static boolean draining(TunnelClient t) {
        ControlMessage.LoadReport r = t.load();
        return r != null && r.draining();
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public int weight() {
        if (configuredWeight > 0) {
            return configuredWeight;
        }
        for (TunnelClient t : tunnels) {
            ControlMessage.LoadReport r = t.load();
            if (r != null && r.weight() > 0) {
                return r.weight();
            }
        }
        return 1;
    }

    /**
     * The backend's streams, all frontends together: its last report, less what this frontend had open on the
     * reporting tunnel then, plus what this frontend has open on all its tunnels now. Streams that opened or closed
     * here since the report count at once; other frontends' at their next report.
     */
    @Override
    public int load() {
        int here = 0;
        int others = 0;
        boolean reported = false;
        for (TunnelClient t : tunnels) {
            here += t.openStreams();
            ControlMessage.LoadReport r = t.load();
            if (r != null && !reported) {
                others = Math.max(0, r.activeStreams() - t.localAtReport());
                reported = true;
            }
        }
        return others + here;
    }

    @Override
    public long medianRttNanos() {
        long best = -1;
        for (TunnelClient t : tunnels) {
            long m = t.health().medianRttNanos();
            if (m >= 0 && (best < 0 || m < best)) {
                best = m;
            }
        }
        return best;
    }

    @Override
    public double lossRatio() {
        double worst = 0;
        for (TunnelClient t : tunnels) {
            worst = Math.max(worst, t.health().lossRatio());
        }
        return worst;
    }

    @Override
    public int recentFailures() {
        int n = 0;
        for (TunnelClient t : tunnels) {
            n += t.recentFailures(FAILURE_WINDOW_NANOS);
        }
        return n;
    }
}
