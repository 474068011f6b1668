package dev.ferry.crypto;

/**
 * Sliding-window replay filter for packet numbers, a bitmap in the style of WireGuard and
 * RFC 6479 (IPsec).
 *
 * <p>A packet number {@code n} is fresh when it is non-negative, has not been accepted before, and
 * is not too old: {@code n > highest} or {@code highest - n < windowBits}, where {@code highest}
 * is the largest number accepted so far. Before anything is accepted every non-negative number is
 * fresh. Numbers that fall out of the window are refused for ever, which is what makes the filter
 * complete: nothing is forgotten and then accepted again.
 *
 * <p>The ring holds one 64-bit word more than {@code windowBits} needs, so that the word shared
 * by {@code highest} never cuts the window short (WireGuard's window is its size minus 64).
 * Memory is {@code windowBits / 64 + 1} longs; each call is O(1) except a forward jump, which
 * clears at most the whole ring.
 *
 * <p>Not thread-safe: the one thread that opens a session's packets owns its window.
 * Call {@link #accept} only after the packet authenticated, or forged numbers slide the window.
 */
public final class ReplayWindow {

    private static final int WORD_SHIFT = 6;   // 64 bits per word
    private static final int WORD_BITS = 1 << WORD_SHIFT;

    private final int windowBits;
    private final long[] ring;
    private long highest;   // 0 with an all-zero ring is the same as "nothing seen yet"

    /**
     * @param windowBits how far behind the highest accepted number a packet may arrive; a
     *     multiple of 64, at least 64
     */
    public ReplayWindow(int windowBits) {
        if (windowBits < WORD_BITS || windowBits % WORD_BITS != 0) {
            throw new IllegalArgumentException("replay window must be a multiple of 64 and >= 64, got "
                    + windowBits);
        }
        this.windowBits = windowBits;
        this.ring = new long[windowBits / WORD_BITS + 1];
    }

    /** Whether {@link #accept} would accept {@code packetNumber} now; changes nothing. */
    public boolean isFresh(long packetNumber) {
        if (packetNumber < 0) {
            return false;
        }
        if (packetNumber > highest) {
            return true;
        }
        if (highest - packetNumber >= windowBits) {
            return false;
        }
        return (ring[slot(packetNumber)] & bit(packetNumber)) == 0;
    }

    /**
     * {@link #isFresh} and, when fresh, marks the number seen (sliding the window forward if it is
     * the new highest).
     *
     * @return false for a duplicate, a number older than the window, or a negative number
     */
    public boolean accept(long packetNumber) {
        if (!isFresh(packetNumber)) {
            return false;
        }
        if (packetNumber > highest) {
            long newWord = packetNumber >>> WORD_SHIFT;
            long oldWord = highest >>> WORD_SHIFT;
            long toClear = Math.min(newWord - oldWord, ring.length);
            for (long i = 1; i <= toClear; i++) {
                ring[(int) ((oldWord + i) % ring.length)] = 0;
            }
            highest = packetNumber;
        }
        ring[slot(packetNumber)] |= bit(packetNumber);
        return true;
    }

    /** The window size given to the constructor. */
    public int windowBits() {
        return windowBits;
    }

    /** The highest packet number accepted so far, or -1 before the first. */
    public long highest() {
        return highest == 0 && (ring[0] & 1) == 0 ? -1 : highest;
    }

    private int slot(long packetNumber) {
        return (int) ((packetNumber >>> WORD_SHIFT) % ring.length);
    }

    private static long bit(long packetNumber) {
        return 1L << (packetNumber & (WORD_BITS - 1));
    }

    @Override
    public String toString() {
        return "ReplayWindow[bits=" + windowBits + ", highest=" + highest() + "]";
    }
}
