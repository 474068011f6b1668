package dev.ferry.backend.cli;

import java.util.Locale;

/** Byte sizes on the command line: {@code 65536}, {@code 256k}, {@code 1m}, {@code 1g} (binary multiples). */
public final class Sizes {
    static final long MIN = 16 * 1024;
    static final long MAX = 1L << 30;

    private Sizes() {
    }

    /** @throws IllegalArgumentException with a one-line message when the text is not a size from 16k to 1g */
    public static int parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a size like 256k or 1m, got '" + text + "'");
        }
        if (n <= 0 || n > MAX / unit || n * unit < MIN) {
            throw new IllegalArgumentException("must be from 16k to 1g, got '" + text + "'");
        }
        return (int) (n * unit);
    }
}
