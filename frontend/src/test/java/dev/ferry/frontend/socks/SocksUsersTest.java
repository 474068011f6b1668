package dev.ferry.frontend.socks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The login check: right name and password only; nothing a decoder produced from other bytes passes. */
class SocksUsersTest {
    private final SocksUsers users = SocksUsers.parse(List.of("alice:pa?s", "bob:b:o:b", "  carol:x y  "));

    @Test
    void theRightPasswordAndNothingElse() {
        assertTrue(users.check("alice", "pa?s"));
        assertTrue(users.check("bob", "b:o:b"), "a password may hold colons");
        assertTrue(users.check("carol", "x y"), "spaces around a line are not part of the password");
        assertFalse(users.check("alice", "pa?"));
        assertFalse(users.check("alice", "pa?ss"));
        assertFalse(users.check("alice", ""));
        assertFalse(users.check("bob", "pa?s"), "another user's password");
        assertFalse(users.check("mallory", "pa?s"), "an unknown name");
        assertFalse(users.check("mallory", ""), "an unknown name with the empty password");
    }

    @Test
    void aByteTheDecoderCouldNotReadNeverPassesForAStoredCharacter() {
        // Netty decodes RFC 1929 fields as ASCII: a byte above 0x7F becomes U+FFFD, which encodes back as '?'.
        assertFalse(users.check("alice", "pa\uFFFDs"));
        assertFalse(users.check("alice", "pa\u00e9s"));
    }

    @Test
    void printableKeepsClientTextOutOfTheLogsStructure() {
        assertEquals("evil??INFO forged", Socks5Handshake.printable("evil\r\nINFO forged", 200));
        assertEquals("abc...", Socks5Handshake.printable("abcdef", 3));
    }
}
