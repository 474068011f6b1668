package dev.ferry.frontend.netns;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JDK's {@code jwebserver} (a static file server nobody here wrote) in a lab namespace, serving one directory on
 * one address. It logs a line per request, which lets a test check that a request really reached it.
 */
final class JdkWebServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    private final LabProcess process;

    private JdkWebServer(LabProcess process) {
        this.process = process;
    }

    /** Starts serving {@code root} on {@code address}:{@code port}; call {@link #awaitReady()} before using it. */
    static JdkWebServer start(NetnsLab lab, String ns, String address, int port, Path root) {
        Path binary = HostTools.jwebserver();
        if (binary == null) {
            throw new IllegalStateException("this JDK has no jwebserver beside " + HostTools.javaBinary());
        }
        List<String> command = List.of(binary.toString(), "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1",
                "-b", address, "-p", Integer.toString(port), "-d", root.toAbsolutePath().toString());
        return new JdkWebServer(lab.start(ns, "jwebserver", Map.of(), command));
    }

    /** Waits for the "URL http://..." line it prints once its socket is bound. */
    JdkWebServer awaitReady() {
        process.awaitLog("(?m)^URL http", START_TIMEOUT);
        return this;
    }

    /**
     * How many requests like {@code "GET /file"} it has logged, once it has logged at least {@code atLeast}: it logs a
     * request after sending the response, so a client may be done before the line is written.
     */
    long requestsLogged(String methodAndPath, long atLeast) {
        String line = Pattern.quote("\"" + methodAndPath + " ");
        process.awaitLines(line, atLeast, LOG_WAIT);
        return process.countLines(line);
    }
}
