package dev.ferry.frontend.netns;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The namespace fixture itself: it leaves nothing behind, whatever state setup reached, and never touches the root. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NetnsLabTest {

    @BeforeAll
    static void requireLab() {
        String reason = NetnsLab.unavailableReason();
        assumeTrue(reason == null, () -> "SKIPPED: " + reason);
    }

    @Test
    void closeKillsItsProcessesAndDeletesItsNamespaces() throws Exception {
        NetnsLab lab = new NetnsLab();
        LabProcess sleeper;
        try {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            lab.addVeth(a, "a0", b, "b0");
            lab.addAddress(a, "a0", "192.0.2.1/24");
            lab.addAddress(b, "b0", "192.0.2.2/24");
            assertTrue(lab.run(b, NetnsLab.COMMAND_TIMEOUT, "ip", "-o", "addr", "show", "dev", "b0").output()
                    .contains("192.0.2.2/24"), "the peer end is in the other namespace with its address");
            sleeper = lab.start(b, "sleeper", Map.of(), List.of("sleep", "600"));
            assertTrue(sleeper.isAlive());
            assertTrue(namespacesOf(lab).containsAll(List.of(a, b)));
        } finally {
            lab.close();
        }
        assertFalse(sleeper.isAlive(), "the program started in the lab was stopped");
        assertEquals(List.of(), namespacesOf(lab), "namespaces left behind");
        assertFalse(java.nio.file.Files.exists(lab.dir()), "scratch directory left behind");
        lab.close(); // twice is harmless
    }

    @Test
    void closeAfterSetupFailedHalfWayRemovesWhatWasCreated() throws Exception {
        NetnsLab lab = new NetnsLab();
        try {
            String a = lab.addNamespace("a");
            assertThrows(IllegalStateException.class, () -> lab.addVeth(a, "a0", "ferry-tnosuchnamespace", "x0"));
        } finally {
            lab.close();
        }
        assertEquals(List.of(), namespacesOf(lab));
    }

    @Test
    void aCommandThatHangsIsKilledAtItsTimeout() throws Exception {
        try (NetnsLab lab = new NetnsLab()) {
            String a = lab.addNamespace("a");
            long start = System.nanoTime();
            assertThrows(IllegalStateException.class, () -> lab.run(a, Duration.ofMillis(300), "sleep", "600"));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the timeout bounded the command");
            assertEquals("", lab.run(a, NetnsLab.COMMAND_TIMEOUT, "true").output());
        }
    }

    @Test
    void theGatewayTopologyAddsNothingToTheRootNamespace() throws Exception {
        String links = rootState("link");
        String routes = rootState("route");
        try (NetnsLab lab = new NetnsLab()) {
            GatewayTopology net = GatewayTopology.build(lab);
            net.addIpv6();
            lab.iptables(net.gw, "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", "1");
            assertEquals(links, rootState("link"), "interfaces of the root namespace changed");
            assertEquals(routes, rootState("route"), "routes of the root namespace changed");
        }
        assertEquals(links, rootState("link"));
    }

    @Test
    void markedPacketsAreRoutedLocallyForTproxy() throws Exception {
        try (NetnsLab lab = new NetnsLab()) {
            String a = lab.addNamespace("a");
            lab.routeMarkedLocally(a, 1, 100);
            assertTrue(lab.run(a, NetnsLab.COMMAND_TIMEOUT, "ip", "rule").output().contains("fwmark 0x1 lookup 100"));
            assertTrue(lab.run(a, NetnsLab.COMMAND_TIMEOUT, "ip", "route", "show", "table", "100").output()
                    .contains("local default dev lo"));
            assertTrue(lab.run(a, NetnsLab.COMMAND_TIMEOUT, "ip", "-6", "route", "show", "table", "100").output()
                    .contains("local default dev lo"));
        }
    }

    @Test
    void aLabIsTornDownWhenItsJvmIsTerminated() throws Exception {
        Process holder = new ProcessBuilder(HostTools.javaBinary().toString(), "-cp",
                System.getProperty("java.class.path"), LabHolder.class.getName()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(20, TimeUnit.SECONDS);
            assertTrue(line != null && line.startsWith("holding "), "the holder said: " + line);
            String[] words = line.split(" "); // holding ID PID
            String id = words[1];
            ProcessHandle sleeper = ProcessHandle.of(Long.parseLong(words[2])).orElseThrow();
            assertEquals(1, namespacesOf(id).size());

            holder.toHandle().destroy(); // SIGTERM: what a killed test run gets first
            assertTrue(holder.waitFor(20, TimeUnit.SECONDS), "the holder JVM did not exit");
            assertEquals(List.of(), namespacesOf(id), "the shutdown hook did not delete the namespace");
            sleeper.onExit().get(10, TimeUnit.SECONDS); // and the program it started in the lab was stopped
        } finally {
            holder.destroyForcibly();
        }
    }

    /** A JVM that opens a lab with a program in it, says so, and waits to be terminated. */
    static final class LabHolder {
        public static void main(String[] args) throws Exception {
            NetnsLab lab = new NetnsLab();
            String ns = lab.addNamespace("held");
            LabProcess sleeper = lab.start(ns, "sleeper", Map.of(), List.of("sleep", "600"));
            System.out.println("holding " + lab.id() + " " + sleeper.pid());
            System.out.flush();
            new CountDownLatch(1).await(); // until SIGTERM runs the lab's shutdown hook
        }
    }

    /** The lab's namespaces that still exist, by the id in their names. */
    private static List<String> namespacesOf(NetnsLab lab) throws Exception {
        return namespacesOf(lab.id());
    }

    private static List<String> namespacesOf(String labId) throws Exception {
        Process p = new ProcessBuilder(HostTools.require("ip").toString(), "netns", "list")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.lines().map(l -> l.split(" ")[0])
                .filter(n -> n.startsWith(NetnsLab.PREFIX + labId + "-")).toList();
    }

    /** The root namespace's interface names ({@code "link"}) or routes ({@code "route"}), read only. */
    private static String rootState(String object) throws Exception {
        Process p = new ProcessBuilder(HostTools.require("ip").toString(), "-o", object, "show")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        if (object.equals("link")) { // names only: flags and counters of other interfaces may change meanwhile
            return String.join(" ", out.lines().map(l -> l.split(": ")[1]).toList());
        }
        return out;
    }
}
