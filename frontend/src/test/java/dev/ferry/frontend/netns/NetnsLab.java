package dev.ferry.frontend.netns;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Network namespaces for one test: creates them, links them with veth pairs, gives them addresses, routes and
 * firewall rules, runs commands and programs inside them, and removes all of it in {@link #close()}.
 *
 * <p>What must hold: nothing here touches the root namespace. Every {@code ip} command names its namespace
 * ({@code ip -n NS}), veth pairs are created inside one lab namespace with the peer placed directly in the other, and
 * iptables and sysctl run under {@code ip netns exec}. Names are {@value #PREFIX} + a random id + a role, so parallel
 * runs and leftovers of a killed run never collide (leftovers: {@code ip netns list | grep '^ferry-t'}).
 *
 * <p>Teardown: {@link #close()} stops every program it started (by PID), kills by PID whatever else still runs in
 * its namespaces, deletes the namespaces (which deletes their interfaces, routes and rules) and its scratch
 * directory. It runs whatever state setup reached, so a test creates the lab first and builds on it after. It also
 * runs from a shutdown hook if the JVM exits while the lab is open. Every command is bounded by a timeout.
 */
public final class NetnsLab implements AutoCloseable {
    public static final String PREFIX = "ferry-t";
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Path NETNS_DIR = Path.of("/run/netns");
    private static final File DEV_NULL = new File("/dev/null");

    private final String id;
    private final Path ipTool;
    private final Path dir;
    private final Thread shutdownHook = new Thread(this::closeQuietly, "netns-lab-teardown");
    private final List<String> namespaces = new ArrayList<>();
    private final List<LabProcess> processes = new ArrayList<>();
    /** One line per command run and program started, printed with the logs when a test fails. */
    private final List<String> history = new ArrayList<>();
    private int outputs;
    private boolean closed;

    public NetnsLab() throws IOException {
        SecureRandom random = new SecureRandom(); // uniqueness of names only; no test outcome depends on it
        this.id = Long.toString(Math.floorMod(random.nextLong(), 36L * 36 * 36 * 36 * 36 * 36), 36);
        this.ipTool = HostTools.require("ip");
        this.dir = Files.createTempDirectory("ferry-netns-");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Null if this machine can run namespace tests, otherwise why not (for {@code Assumptions.assumeTrue(reason ==
     * null, reason)}): Linux, root, {@code ip} and {@code iptables} installed, a namespace can be created, and
     * iptables can use the nat table inside it.
     */
    public static String unavailableReason() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            return "network namespaces need Linux (this is " + os + ")";
        }
        int uid = uid();
        if (uid != 0) {
            return "creating network namespaces needs root (running as uid " + uid + ")";
        }
        for (String tool : List.of("ip", "iptables")) {
            if (HostTools.find(tool) == null) {
                return "'" + tool + "' is not installed";
            }
        }
        try (NetnsLab probe = new NetnsLab()) {
            String ns = probe.addNamespace("probe");
            CommandResult nat = probe.run(ns, COMMAND_TIMEOUT, "iptables", "-t", "nat", "-S");
            if (!nat.succeeded()) {
                return "iptables cannot use the nat table in a network namespace: " + nat;
            }
        } catch (Exception | AssertionError e) {
            return "cannot set up a network namespace: " + e.getMessage();
        }
        return null;
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** The random part of this lab's names. */
    public String id() {
        return id;
    }

    /** Scratch directory for files and logs, deleted by {@link #close()}. */
    public Path dir() {
        return dir;
    }

    /** Creates a namespace named after {@code role} (lower-case letters and digits), with its loopback up. */
    public String addNamespace(String role) {
        if (!role.matches("[a-z0-9]{1,12}")) {
            throw new IllegalArgumentException("role must be 1-12 lower-case letters or digits: " + role);
        }
        String ns = PREFIX + id + "-" + role;
        synchronized (this) {
            requireOpen();
            namespaces.add(ns); // before creating: a half-done 'ip netns add' is still cleaned up
        }
        exec(List.of(ipTool.toString(), "netns", "add", ns)).requireSuccess();
        ip(ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair from {@code devA} in {@code nsA} to {@code devB} in {@code nsB}, both ends up. */
    public void addVeth(String nsA, String devA, String nsB, String devB) {
        ip(nsA, "link", "add", devA, "type", "veth", "peer", "name", devB, "netns", nsB);
        ip(nsA, "link", "set", devA, "up");
        ip(nsB, "link", "set", devB, "up");
    }

    /**
     * An interface, up, that silently drops whatever is routed into it: a route through it makes traffic go
     * nowhere (a client times out) instead of failing fast. A {@code dummy} where the kernel has that driver, else
     * an {@code ifb} (which drops every packet that tc did not redirect to it).
     */
    public void addSink(String ns, String dev) {
        if (!exec(List.of(ipTool.toString(), "-n", ns, "link", "add", dev, "type", "dummy")).succeeded()) {
            ip(ns, "link", "add", dev, "type", "ifb");
        }
        ip(ns, "link", "set", dev, "up");
    }

    /** Adds {@code cidr} to {@code dev}; an IPv6 address skips duplicate address detection so it is usable at once. */
    public void addAddress(String ns, String dev, String cidr) {
        if (cidr.contains(":")) {
            ip(ns, "addr", "add", cidr, "dev", dev, "nodad");
        } else {
            ip(ns, "addr", "add", cidr, "dev", dev);
        }
    }

    /** {@code ip -n NS ARGS...}, which must succeed (e.g. {@code ip(ns, "route", "add", "default", "via", gw)}). */
    public void ip(String ns, String... args) {
        List<String> command = new ArrayList<>(List.of(ipTool.toString(), "-n", ns));
        command.addAll(List.of(args));
        exec(command).requireSuccess();
    }

    /** Sets a sysctl inside the namespace, e.g. {@code sysctl(ns, "net/ipv4/ip_forward", "1")}. */
    public void sysctl(String ns, String path, String value) {
        run(ns, COMMAND_TIMEOUT, "sh", "-c", "printf '%s\\n' \"$1\" > \"/proc/sys/$2\"", "sh", value, path)
                .requireSuccess();
    }

    /** {@code iptables ARGS...} inside the namespace, which must succeed. */
    public void iptables(String ns, String... args) {
        run(ns, COMMAND_TIMEOUT, concat("iptables", args)).requireSuccess();
    }

    /** {@code ip6tables ARGS...} inside the namespace, which must succeed. */
    public void ip6tables(String ns, String... args) {
        run(ns, COMMAND_TIMEOUT, concat("ip6tables", args)).requireSuccess();
    }

    /**
     * Policy routing that delivers packets carrying firewall mark {@code mark} locally, IPv4 and (where the kernel
     * has IPv6) IPv6: what a TPROXY rule ({@code -j TPROXY --on-port P --tproxy-mark MARK}) needs so the marked
     * packets reach the transparent listener instead of being forwarded.
     */
    public void routeMarkedLocally(String ns, int mark, int table) {
        String m = Integer.toString(mark);
        String t = Integer.toString(table);
        ip(ns, "rule", "add", "fwmark", m, "lookup", t);
        ip(ns, "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", t);
        if (!Files.exists(Path.of("/proc/net/if_inet6"))) {
            return; // IPv6 off: 'ip -6' would fail, and an IPv4 test must not
        }
        ip(ns, "-6", "rule", "add", "fwmark", m, "lookup", t);
        ip(ns, "-6", "route", "add", "local", "::/0", "dev", "lo", "table", t);
    }

    /**
     * Runs a command inside the namespace and waits for it; a non-zero exit is returned, not thrown. One that is
     * still running after {@code timeout} is killed and reported as an error.
     */
    public CommandResult run(String ns, Duration timeout, String... command) {
        return exec(inNamespace(ns, List.of(command)), timeout);
    }

    /**
     * Starts a long-running program inside the namespace with stdout and stderr to {@code NAME.log} in
     * {@link #dir()}; {@code env} is added to this JVM's environment. {@link #close()} stops it.
     */
    public LabProcess start(String ns, String name, Map<String, String> env, List<String> command) {
        List<String> full = inNamespace(ns, command);
        Path log = dir.resolve(name + "-" + nextOutput() + ".log");
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(DEV_NULL);
        pb.environment().putAll(env);
        LabProcess p;
        synchronized (this) {
            requireOpen();
            try {
                p = new LabProcess(name, ns, pb.start(), log);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + full, e);
            }
            processes.add(p);
            history.add("started " + p + ": " + abbreviated(full));
        }
        return p;
    }

    /**
     * {@code ip netns exec NS COMMAND...}, with the program found as {@link HostTools#find} finds it (the sbin
     * directories too), since {@code ip netns exec} would search only the PATH.
     */
    private List<String> inNamespace(String ns, List<String> command) {
        List<String> full = new ArrayList<>(List.of(ipTool.toString(), "netns", "exec", ns));
        String program = command.getFirst();
        Path found = program.contains("/") ? null : HostTools.find(program);
        full.add(found == null ? program : found.toString());
        full.addAll(command.subList(1, command.size()));
        return full;
    }

    /** The commands run so far and the log of every program started, for a failing test's output. */
    public synchronized String report() {
        StringBuilder b = new StringBuilder("---- netns lab " + id + ": commands\n");
        history.forEach(h -> b.append(h).append('\n'));
        for (LabProcess p : processes) {
            b.append("---- log of ").append(p).append('\n');
            try {
                b.append(p.log());
            } catch (UncheckedIOException e) {
                b.append("(unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        return b.toString();
    }

    /**
     * Stops every program started here, kills by PID anything else left in the lab's namespaces, deletes the
     * namespaces and the scratch directory. Tries every step whatever failed before, then throws if anything was left
     * behind. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean interrupted = Thread.interrupted(); // a timed-out test is interrupted; teardown must still wait
        List<String> leftovers = new ArrayList<>();
        try {
            for (LabProcess p : processes.reversed()) {
                if (p.stop() < 0) {
                    leftovers.add(p + " did not exit after SIGKILL");
                }
            }
            for (String ns : namespaces.reversed()) {
                if (!Files.exists(NETNS_DIR.resolve(ns))) {
                    continue; // never created
                }
                killRemaining(ns);
                CommandResult del = exec(List.of(ipTool.toString(), "netns", "del", ns));
                if (!del.succeeded()) {
                    leftovers.add(del.toString());
                }
            }
            deleteRecursively(dir, leftovers);
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // called from the hook itself
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (!leftovers.isEmpty()) {
            throw new IllegalStateException("netns lab " + id + " left things behind: " + leftovers);
        }
    }

    /** Anything still running in {@code ns} (a command killed at its timeout, a child of a program) is ours. */
    private void killRemaining(String ns) {
        CommandResult pids = exec(List.of(ipTool.toString(), "netns", "pids", ns));
        List<ProcessHandle> handles = pids.output().lines().map(String::strip).filter(s -> s.matches("\\d+"))
                .map(s -> ProcessHandle.of(Long.parseLong(s))).flatMap(java.util.Optional::stream).toList();
        for (ProcessHandle h : handles) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // reported by 'ip netns del' failing, or the namespace lingers without its name: nothing more to do
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    private CommandResult exec(List<String> command) {
        return exec(command, COMMAND_TIMEOUT);
    }

    /** Runs a short command with its output to a scratch file (no reader thread), bounded by {@code timeout}. */
    private CommandResult exec(List<String> command, Duration timeout) {
        Path out = dir.resolve("cmd-" + nextOutput() + ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(DEV_NULL).start();
            boolean finished;
            try {
                finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly(); // timed out, or the test was interrupted
                    p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            if (!finished) {
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + ":\n" + output);
            }
            CommandResult r = new CommandResult(command, p.exitValue(), output);
            record(r.succeeded() ? String.join(" ", command) : r.toString());
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private synchronized void record(String line) {
        history.add(line);
    }

    private synchronized int nextOutput() {
        return ++outputs;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("netns lab " + id + " is closed");
        }
    }

    private static void deleteRecursively(Path root, List<String> leftovers) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            leftovers.add("scratch directory " + root + ": " + e);
        }
    }

    /** The command line for the report, with a long argument (a class path) cut to its start and its length. */
    private static String abbreviated(List<String> command) {
        return String.join(" ", command.stream()
                .map(a -> a.length() <= 120 ? a : a.substring(0, 60) + "...(" + a.length() + " chars)").toList());
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
