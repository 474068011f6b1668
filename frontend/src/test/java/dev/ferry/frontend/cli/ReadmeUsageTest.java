package dev.ferry.frontend.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's usage section is the real {@code --help} output, so docs and flags cannot drift apart. */
class ReadmeUsageTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "backend", "frontend", "genkey", "demo", "status"})
    void readmeShowsTheCurrentHelp(String command) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Run help = command.isEmpty() ? Run.ferry("--help") : Run.ferry(command, "--help");
        assertEquals(0, help.exit());
        String label = "$ ferry " + (command.isEmpty() ? "" : command + " ") + "--help\n";
        int at = readme.indexOf("```\n" + label);
        assertTrue(at >= 0, "README has no block for '" + label.strip() + "'");
        int start = at + 4 + label.length();
        String block = readme.substring(start, readme.indexOf("\n```", start));
        assertEquals(help.out().stripTrailing(), block.stripTrailing(),
                "README usage of '" + label.strip() + "' differs from --help: paste the new output");
    }
}
