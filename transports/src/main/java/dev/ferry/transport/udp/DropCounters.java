package dev.ferry.transport.udp;

import org.slf4j.Logger;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Counts dropped datagrams by reason and reports them in the log at most once per period, so a flood of garbage
 * costs a counter increment and no log spam. Packets of unknown sessions alone are routine (the last packets of a
 * session that just closed) and are reported at info; anything else at warn. Threading: one event loop per instance.
 */
public final class DropCounters {
    private static final long REPORT_PERIOD_MILLIS = 10_000;

    private final long[] total = new long[Drop.values().length];
    private final long[] sinceReport = new long[Drop.values().length];
    private final Logger log;
    private final String where;
    private final LongSupplier millis;
    private long lastReport;
    private boolean pending;

    public DropCounters(Logger log, String where, LongSupplier millis) {
        this.log = log;
        this.where = where;
        this.millis = millis;
        this.lastReport = millis.getAsLong() - REPORT_PERIOD_MILLIS;
    }

    public void count(Drop reason) {
        total[reason.ordinal()]++;
        sinceReport[reason.ordinal()]++;
        pending = true;
        long now = millis.getAsLong();
        if (now - lastReport >= REPORT_PERIOD_MILLIS) {
            report(now);
        }
    }

    public long total(Drop reason) {
        return total[reason.ordinal()];
    }

    /** All totals, for status output and tests. */
    public Map<Drop, Long> totals() {
        Map<Drop, Long> m = new EnumMap<>(Drop.class);
        for (Drop d : Drop.values()) {
            m.put(d, total[d.ordinal()]);
        }
        return m;
    }

    private void report(long now) {
        if (!pending) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        boolean suspicious = false;
        for (Drop d : Drop.values()) {
            suspicious |= sinceReport[d.ordinal()] > 0 && d != Drop.UNKNOWN_SESSION;
            if (sinceReport[d.ordinal()] > 0) {
                sb.append(sb.isEmpty() ? "" : ", ").append(d.name().toLowerCase()).append(' ')
                        .append(sinceReport[d.ordinal()]);
                sinceReport[d.ordinal()] = 0;
            }
        }
        if (suspicious) {
            log.warn("{}: dropped datagrams: {}", where, sb);
        } else {
            // late packets of a session that just closed, or of one a restart forgot: routine
            log.info("{}: dropped datagrams: {}", where, sb);
        }
        lastReport = now;
        pending = false;
    }
}
