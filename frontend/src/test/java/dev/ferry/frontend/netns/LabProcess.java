package dev.ferry.frontend.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long-running program that a {@link NetnsLab} started inside one of its namespaces, with stdout and stderr going
 * to a log file. {@code ip netns exec} execs the program, so {@link #pid()} is the program itself and stopping it
 * needs no process-group or name matching. Stopping is the lab's job ({@link NetnsLab#close()}); a test may stop one
 * earlier with {@link #stop()}.
 */
public final class LabProcess {
    /** How long a process gets to exit after SIGTERM before SIGKILL, and after SIGKILL before we give up on it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** The log is another process's growing file: it cannot be awaited, only re-read; this is the pause between reads. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String name;
    private final String namespace;
    private final Process process;
    private final Path logFile;

    LabProcess(String name, String namespace, Process process, Path logFile) {
        this.name = name;
        this.namespace = namespace;
        this.process = process;
        this.logFile = logFile;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Everything the process has printed so far. */
    public String log() {
        try {
            return new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the log contains a match of {@code regex} ({@code .} stays within a line) and returns it. Fails at
     * once, with the log, if the process exits first; fails with the log after {@code timeout}.
     */
    public Matcher awaitLog(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        Matcher m = pattern.matcher(poll(t -> pattern.matcher(t).find(), "/" + regex + "/", timeout));
        m.find(); // true: poll returned the very text it found a match in
        return m;
    }

    /** Waits until at least {@code count} lines of the log contain a match of {@code regex}; fails as awaitLog. */
    public void awaitLines(String regex, long count, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        poll(t -> t.lines().filter(l -> pattern.matcher(l).find()).count() >= count,
                count + " lines matching /" + regex + "/", timeout);
    }

    /** Re-reads the log until {@code done} holds for it, the process exits, or the time is up. */
    private String poll(Predicate<String> done, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean alive = process.isAlive(); // read before the log: a line written just before exiting still counts
            String text = log();
            if (done.test(text)) {
                return text;
            }
            if (!alive) {
                throw new AssertionError(this + " exited with code " + process.exitValue() + " before logging "
                        + what + ":\n" + text);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("no " + what + " in the log of " + this + " within " + timeout + ":\n"
                        + text);
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted while waiting for " + what + " in the log of " + this);
            }
        }
    }

    /** How many lines of the log contain a match of {@code regex}. */
    public long countLines(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return log().lines().filter(l -> pattern.matcher(l).find()).count();
    }

    /**
     * SIGTERM, then SIGKILL if the process has not exited within {@link #STOP_GRACE}; any children it started get
     * SIGKILL too. Returns the exit code, or -1 if even SIGKILL did not end it in time.
     */
    public int stop() {
        ProcessHandle handle = process.toHandle();
        List<ProcessHandle> children = handle.descendants().toList();
        handle.destroy();
        if (!awaitExit(handle)) {
            handle.destroyForcibly();
            awaitExit(handle);
        }
        for (ProcessHandle c : children) {
            c.destroyForcibly();
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    private static boolean awaitExit(ProcessHandle handle) {
        try {
            handle.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            // Teardown must finish; the caller (NetnsLab.close) restores the interrupt once it is done.
            handle.destroyForcibly();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + " in " + namespace + ")";
    }
}
