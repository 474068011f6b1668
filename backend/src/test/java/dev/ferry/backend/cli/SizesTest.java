package dev.ferry.backend.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizesTest {
    @Test
    void parsesPlainAndSuffixedSizes() {
        assertEquals(16384, Sizes.parse("16384"));
        assertEquals(256 * 1024, Sizes.parse("256k"));
        assertEquals(1 << 20, Sizes.parse("1M"));
        assertEquals(1 << 30, Sizes.parse("1g"));
    }

    @Test
    void refusesOutOfRangeAndGarbageWithOneLine() {
        for (String bad : new String[] {"16383", "15k", "2g", "0", "-1m", "lots", "", "1t", "99999999999999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
