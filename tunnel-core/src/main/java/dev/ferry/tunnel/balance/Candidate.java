package dev.ferry.tunnel.balance;

/** What a {@link Balancer} knows of one backend that can take a new stream now. */
public interface Candidate {
    /** Its place in the pool's list of backends (stable): ties go round in this order. */
    int index();

    /** Capacity weight: the frontend's {@code weight=}, else what the backend reports, else 1. */
    int weight();

    /** Streams open at the backend (its last report) plus those handed out since. */
    int load();

    /** Median keepalive RTT in nanoseconds, or -1 before the first measurement. */
    long medianRttNanos();

    /** Share of keepalive pings unanswered. */
    double lossRatio();

    /** Failed connection attempts and lost tunnels in the last minute. */
    int recentFailures();
}
