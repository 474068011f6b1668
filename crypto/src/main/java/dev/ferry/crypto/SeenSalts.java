package dev.ferry.crypto;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers handshake salts for {@code ttl} so that a replayed handshake is refused, in bounded
 * memory.
 *
 * <p>Use: call {@link #firstSeen} only after the handshake message authenticated (otherwise
 * anyone can fill the table and lock everybody out, since it fails closed), and have the
 * handshake also carry a timestamp that is refused when older than {@code ttl}; this table
 * alone cannot refuse a replay that arrives after its entry expired.
 *
 * <p>Time: an entry first seen at {@code t} is refused through {@code t + ttl} inclusive and
 * forgotten after. A repeated offer does not extend it. The clock is read on every call and
 * never allowed to run backwards here (the latest reading wins), so a wall clock that steps back
 * only keeps entries longer; a monotonic source is still the better choice.
 *
 * <p>Thread-safe: every method is {@code synchronized}. Handshakes are rare and the work under
 * the lock is a hash lookup plus evicting expired entries, so a shared instance across event
 * loops costs little.
 */
public final class SeenSalts {

    private final InstantSource clock;
    private final Duration ttl;
    private final int capacity;
    /** Insertion order is first-seen order, which (with a non-decreasing clock) is expiry order. */
    private final LinkedHashMap<Salt, Instant> firstSeenAt;
    private Instant latest = Instant.MIN;

    /**
     * @param clock the time source (inject a fake in tests)
     * @param ttl how long a salt is remembered; positive
     * @param capacity the most unexpired salts held; when full, new salts are refused
     */
    public SeenSalts(InstantSource clock, Duration ttl, int capacity) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.firstSeenAt = new LinkedHashMap<>();
    }

    /**
     * True the first time {@code salt} is offered within {@code ttl}; false when it was seen within
     * {@code ttl}, or when {@code capacity} unexpired salts are already held (fail closed). The
     * salt is copied.
     */
    public synchronized boolean firstSeen(byte[] salt) {
        Objects.requireNonNull(salt, "salt");
        Instant now = now();
        evictExpired(now);
        Salt key = new Salt(salt.clone());
        if (firstSeenAt.containsKey(key)) {
            return false;
        }
        if (firstSeenAt.size() >= capacity) {
            return false;
        }
        firstSeenAt.put(key, now);
        return true;
    }

    /** The number of unexpired salts held. */
    public synchronized int size() {
        evictExpired(now());
        return firstSeenAt.size();
    }

    private Instant now() {
        Instant reading = clock.instant();
        if (reading.isAfter(latest)) {
            latest = reading;
        }
        return latest;
    }

    private void evictExpired(Instant now) {
        Instant cutoff = now.minus(ttl);   // entries first seen strictly before this are expired
        Iterator<Map.Entry<Salt, Instant>> oldestFirst = firstSeenAt.entrySet().iterator();
        while (oldestFirst.hasNext() && oldestFirst.next().getValue().isBefore(cutoff)) {
            oldestFirst.remove();
        }
    }

    /**
     * A salt as a map key. Comparable, so that if salts ever were attacker-chosen, colliding hash
     * codes would degrade a {@link HashMap} bin to a tree, not a list.
     */
    private record Salt(byte[] bytes) implements Comparable<Salt> {
        @Override
        public boolean equals(Object other) {
            return other instanceof Salt that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public int compareTo(Salt other) {
            return Arrays.compareUnsigned(bytes, other.bytes);
        }

        @Override
        public String toString() {
            return "Salt[" + bytes.length + " bytes]";
        }
    }
}
