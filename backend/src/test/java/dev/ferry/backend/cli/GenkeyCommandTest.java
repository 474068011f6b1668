package dev.ferry.backend.cli;

import dev.ferry.crypto.PresharedKey;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenkeyCommandTest {
    private static String genkey() {
        CliHarness.Result r = CliHarness.run(new CommandLine(new GenkeyCommand(new CliHarness().context())));
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        return r.out();
    }

    @Test
    void printsOneFreshUsableKey() {
        String first = genkey();
        assertTrue(first.matches("base64:[A-Za-z0-9+/]{43}=\n"), first);
        PresharedKey.fromSpec(first.strip()); // accepted as a key
        assertNotEquals(first, genkey());
    }
}
