package dev.ferry.frontend.netns;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/** Finds the programs the namespace tests run: system tools on the PATH (and the sbin directories), and the JDK's. */
final class HostTools {
    private HostTools() {
    }

    /**
     * The executable called {@code name}, or null. The sbin directories are searched too because {@code ip} and
     * {@code iptables} live there and a test JVM's PATH does not always include them.
     */
    static Path find(String name) {
        Set<String> dirs = new LinkedHashSet<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                dirs.add(d);
            }
        }
        dirs.add("/usr/sbin");
        dirs.add("/sbin");
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /** Like {@link #find}, but a missing tool is an error naming it. */
    static Path require(String name) {
        Path p = find(name);
        if (p == null) {
            throw new IllegalStateException(name + " not found on the PATH or in /usr/sbin, /sbin");
        }
        return p;
    }

    /** The java binary running this test, so child JVMs get the same JDK (25+) whatever the PATH says. */
    static Path javaBinary() {
        return Path.of(ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java binary runs this JVM")));
    }

    /** The JDK's {@code jwebserver} beside the java binary, or null when this JDK has none (a JRE, or JDK < 18). */
    static Path jwebserver() {
        Path p = javaBinary().resolveSibling("jwebserver");
        return Files.isExecutable(p) ? p : null;
    }
}
