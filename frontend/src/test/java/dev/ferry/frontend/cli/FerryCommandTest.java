package dev.ferry.frontend.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.util.List;

import static dev.ferry.frontend.cli.Run.ferry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The root command and what every subcommand shares; nothing here opens a socket. */
class FerryCommandTest {

    @Test
    void version() {
        Run r = ferry("--version");
        assertEquals(0, r.exit());
        assertEquals("ferry 0.1.0\n", r.out());
        assertEquals("ferry 0.1.0\n", ferry("frontend", "--version").out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "backend", "frontend", "genkey", "demo"})
    void everyHelpHasExamplesAndFitsEightyColumns(String command) {
        Run r = command.isEmpty() ? ferry("--help") : ferry(command, "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\nExamples:\n"), r.out());
        assertTrue(r.out().startsWith("Usage: ferry" + (command.isEmpty() ? "" : " " + command)), r.out());
        for (String line : r.out().split("\n")) {
            assertTrue(line.length() <= 80, "too wide: " + line);
        }
        CommandLine cl = Main.commandLine(Run.context(java.util.Map.of(), new java.util.ArrayList<>()));
        CommandLine sub = command.isEmpty() ? cl : cl.getSubcommands().get(command);
        for (String line : sub.getCommandSpec().usageMessage().footer()) {
            assertTrue(r.out().contains(line + "\n"), "footer line wrapped: " + line);
        }
    }

    @Test
    void noCommandPrintsUsageToStderr() {
        Run r = ferry();
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("Usage: ferry"), r.err());
    }

    @Test
    void unknownCommand() {
        Run r = ferry("frontedn");
        assertEquals(2, r.exit());
        assertEquals(List.of("ferry: unexpected argument 'frontedn' (did you mean frontend?)"), r.errLines());
    }

    @Test
    void genkeyThroughTheRoot() {
        Run r = ferry("genkey");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("base64:[A-Za-z0-9+/]{43}=\n"), r.out());
    }

    @Test
    void demoRefusesABadPortBeforeStartingAnything() {
        Run r = ferry("demo", "--port", "0");
        assertEquals(2, r.exit());
        assertEquals(List.of("ferry: --port: port must be 1 to 65535, got '0'"), r.errLines());
        Run r2 = ferry("demo", "--port", "http");
        assertEquals(List.of("ferry: --port: port must be 1 to 65535, got 'http'"), r2.errLines());
    }
}
