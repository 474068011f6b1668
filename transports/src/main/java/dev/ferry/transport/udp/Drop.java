package dev.ferry.transport.udp;

/** Why a received datagram was dropped without an answer. */
public enum Drop {
    /** Shorter than a header and a tag, or longer than the largest packet. */
    TRUNCATED_OR_OVERSIZED,
    /** No session with this id, and the packet may not open one (no timestamp, or not accepting). */
    UNKNOWN_SESSION,
    /** The tag did not verify. */
    UNAUTHENTIC,
    /** A packet number seen before or too old for the window. */
    REPLAYED,
    /** A session-opening packet whose timestamp is too far from our clock, or whose session id was seen recently. */
    STALE,
    /** Authentic but its contents make no sense (unknown kind, bad KCP segments). */
    MALFORMED,
    /** A new session refused because the session table is full. */
    OVER_CAPACITY
}
