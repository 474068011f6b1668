package dev.ferry.frontend.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * A real {@code ferry backend} or {@code ferry frontend} process in a lab namespace: this JVM's java binary and class
 * path, main class {@code dev.ferry.frontend.cli.Main}, output to a log file in the lab. The key travels in
 * {@code FERRY_KEY}, not on the command line. The lab stops it (SIGTERM, then SIGKILL) when it closes.
 */
public final class FerryProcess {
    static final String MAIN_CLASS = "dev.ferry.frontend.cli.Main";
    /** JVM start, class loading and the first tunnel handshake, with other JVMs starting beside it on two cores. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    /**
     * Netty's epoll wants native access on JDK 25 (else warnings); the leak detector as strict as in the test JVM,
     * so a leak shows as a "LEAK:" line in the log; and a small footprint, since several JVMs share a small machine
     * for a few seconds and move only a few MiB.
     */
    static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
            "-Dio.netty.leakDetection.level=paranoid", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m");

    /** Logged by BackendCommand once the tunnel listener is bound. */
    static final String BACKEND_READY = "BackendCommand - ferry backend listening on ";
    /** Logged by FrontendCommand once every listener is bound (FrontendServer.start returned). */
    static final String FRONTEND_BOUND = "FrontendCommand - ferry frontend\\b";
    /** Logged by TunnelClient when the handshake with the backend succeeded. */
    static final String TUNNEL_UP = "TunnelClient - tunnel to \\S+ up";

    private final String role;
    private final LabProcess process;

    private FerryProcess(String role, LabProcess process) {
        this.role = role;
        this.process = process;
    }

    /** Starts {@code ferry backend ARGS...}; call {@link #awaitReady()} before relying on it. */
    static FerryProcess backend(NetnsLab lab, String ns, String key, String... args) {
        return start(lab, ns, "backend", key, args);
    }

    /** Starts {@code ferry frontend ARGS...}; call {@link #awaitReady()} before relying on it. */
    static FerryProcess frontend(NetnsLab lab, String ns, String key, String... args) {
        return start(lab, ns, "frontend", key, args);
    }

    private static FerryProcess start(NetnsLab lab, String ns, String role, String key, String... args) {
        List<String> command = new ArrayList<>();
        command.add(HostTools.javaBinary().toString());
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.add(role);
        command.addAll(List.of(args));
        return new FerryProcess(role, lab.start(ns, role, Map.of("FERRY_KEY", key), command));
    }

    /**
     * Waits until the process serves: a backend's listener is bound; a frontend's listeners are bound and its tunnel
     * is up (the tunnel may come up before the listeners, so both lines are awaited).
     */
    FerryProcess awaitReady() {
        if (role.equals("backend")) {
            process.awaitLog(BACKEND_READY, START_TIMEOUT);
        } else {
            process.awaitLog(FRONTEND_BOUND, START_TIMEOUT);
            process.awaitLog(TUNNEL_UP, START_TIMEOUT);
        }
        return this;
    }

    Matcher awaitLog(String regex, Duration timeout) {
        return process.awaitLog(regex, timeout);
    }

    void awaitLines(String regex, long count, Duration timeout) {
        process.awaitLines(regex, count, timeout);
    }

    long countLines(String regex) {
        return process.countLines(regex);
    }

    String log() {
        return process.log();
    }

    LabProcess process() {
        return process;
    }

    /** Fails if Netty's leak detector reported a buffer released nowhere (it logs "LEAK:" at ERROR). */
    void assertNoLeakReported() {
        if (process.log().contains("LEAK:")) {
            throw new AssertionError("Netty reported a leak in " + process + ":\n" + process.log());
        }
    }
}
