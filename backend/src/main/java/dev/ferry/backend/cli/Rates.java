package dev.ferry.backend.cli;

import java.math.BigDecimal;
import java.util.Locale;

/** Link rates on the command line, in bits per second as tc writes them: {@code 500kbit}, {@code 20mbit}, {@code 1gbit}. */
public final class Rates {
    static final long MIN_BITS = 64_000;
    static final long MAX_BITS = 100_000_000_000L;

    private Rates() {
    }

    /** @throws IllegalArgumentException with a one-line message when the text is not a rate from 64kbit to 100gbit */
    public static long parseBitsPerSecond(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!t.endsWith("bit")) {
            throw new IllegalArgumentException("expected a rate like 500kbit, 20mbit or 1gbit, got '" + text + "'");
        }
        t = t.substring(0, t.length() - 3);
        long unit = 1;
        if (!t.isEmpty() && "kmg".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1_000L;
                case 'm' -> 1_000_000L;
                default -> 1_000_000_000L;
            };
            t = t.substring(0, t.length() - 1);
        }
        BigDecimal bits;
        try {
            bits = new BigDecimal(t).multiply(BigDecimal.valueOf(unit));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a rate like 500kbit, 20mbit or 1gbit, got '" + text + "'");
        }
        if (bits.compareTo(BigDecimal.valueOf(MIN_BITS)) < 0 || bits.compareTo(BigDecimal.valueOf(MAX_BITS)) > 0) {
            throw new IllegalArgumentException("must be from 64kbit to 100gbit, got '" + text + "'");
        }
        return bits.longValue();
    }
}
