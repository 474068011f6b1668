package dev.ferry.frontend.socks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may use a SOCKS5 entrance: nobody needs to log in ({@link #NONE}), or each client logs in with a name and
 * password (RFC 1929) from a file of {@code NAME:PASSWORD} lines. Passwords are compared in constant time. Names and
 * passwords are printable ASCII: Netty's decoder reads them as ASCII, and clients differ in how they encode others.
 */
public final class SocksUsers {
    /** No login asked. */
    public static final SocksUsers NONE = new SocksUsers(Map.of());
    /** RFC 1929 carries each of name and password in at most 255 bytes. */
    static final int MAX_FIELD_BYTES = 255;

    private final Map<String, byte[]> passwords;

    private SocksUsers(Map<String, byte[]> passwords) {
        this.passwords = passwords;
    }

    /**
     * Reads {@code NAME:PASSWORD} lines; blank lines and lines starting with {@code #} are skipped. The password is
     * everything after the first colon; spaces around a line are not part of it.
     *
     * @throws IllegalArgumentException one line naming the bad line
     */
    public static SocksUsers parse(List<String> lines) {
        Map<String, byte[]> passwords = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = "line " + (i + 1) + ": ";
            if (colon <= 0 || colon == line.length() - 1) {
                throw new IllegalArgumentException(where + "expected NAME:PASSWORD, both not empty");
            }
            String name = line.substring(0, colon);
            if (!(line.chars().allMatch(c -> c >= 0x20 && c < 0x7F))) {
                throw new IllegalArgumentException(where + "names and passwords must be printable ASCII");
            }
            byte[] password = line.substring(colon + 1).getBytes(StandardCharsets.US_ASCII);
            if (name.length() > MAX_FIELD_BYTES || password.length > MAX_FIELD_BYTES) {
                throw new IllegalArgumentException(where + "SOCKS5 carries at most " + MAX_FIELD_BYTES
                        + " bytes of name and of password");
            }
            if (passwords.put(name, password) != null) {
                throw new IllegalArgumentException(where + "user '" + name + "' is given twice");
            }
        }
        if (passwords.isEmpty()) {
            throw new IllegalArgumentException("no NAME:PASSWORD line");
        }
        return new SocksUsers(Map.copyOf(passwords));
    }

    /** Whether clients must log in. */
    public boolean required() {
        return !passwords.isEmpty();
    }

    public int size() {
        return passwords.size();
    }

    /**
     * Whether {@code name} exists and {@code password} is its password. A password with anything but printable ASCII
     * never matches (a decoder turns other bytes into U+FFFD, which must not pass for a stored character). Digests
     * are compared, so neither a password's length nor whether the name exists shows in the time taken.
     */
    boolean check(String name, String password) {
        byte[] expected = passwords.get(name);
        boolean ascii = password.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
        byte[] given = digest(password.getBytes(StandardCharsets.US_ASCII));
        boolean same = MessageDigest.isEqual(digest(expected == null ? new byte[0] : expected), given);
        return same && ascii && expected != null;
    }

    private static byte[] digest(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
