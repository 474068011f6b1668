package dev.ferry.frontend.netns;

import dev.ferry.crypto.PresharedKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static dev.ferry.frontend.netns.GatewayTopology.DEST_IP;
import static dev.ferry.frontend.netns.GatewayTopology.DEST_IP6;
import static dev.ferry.frontend.netns.GatewayTopology.DEST_NET;
import static dev.ferry.frontend.netns.GatewayTopology.GW_LAN_DEV;
import static dev.ferry.frontend.netns.GatewayTopology.GW_LAN_IP;
import static dev.ferry.frontend.netns.GatewayTopology.GW_TUNNEL_IP;
import static dev.ferry.frontend.netns.GatewayTopology.LAN_IP;
import static dev.ferry.frontend.netns.GatewayTopology.SRV_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ferry frontend --redirect}: connections that an iptables REDIRECT rule sent to the frontend reach their
 * original destination through the tunnel, in namespaces built by {@link GatewayTopology}: the frontend on the
 * gateway GW, the backend and a web server (the JDK's jwebserver) in SRV, a curl client in LAN or on GW itself. The
 * destination {@link GatewayTopology#DEST_IP} is reachable from LAN and GW only through the tunnel, which each test
 * that fetches first proves by failing to fetch without the rule.
 *
 * <p>Needs root, iproute2, iptables, curl and a JDK with jwebserver; without them every test is skipped with the
 * reason. Each test builds its own namespaces and processes and the lab tears them down whatever happened. The file
 * served is seeded random bytes: {@code -Dferry.test.seed=N} replays a run, and a failing test prints its seed, the
 * commands run and every process's log.
 *
 * <p>Where no proof has to come first, the NAT rules go in before the frontend starts: the first NAT rule in a
 * namespace turns connection tracking on there, and a tunnel connection caught in its handshake at that moment is
 * picked up midway by the kernel rather than tracked from its SYN.
 *
 * <p>TODO (IPv6): only the LAN-gateway case runs over IPv6; the own-host case (ip6tables OUTPUT, redirected to ::1)
 * and the loop and not-redirected refusals are IPv4 only.
 */
class RedirectTest {
    private static final long SEED = Long.getLong("ferry.test.seed", System.nanoTime());
    private static final int FILE_SIZE = 2 << 20;
    private static final int WEB_PORT = 8080;
    private static final int BACKEND_PORT = 7000;
    private static final int REDIRECT_PORT = 12345;
    private static final int REDIRECT6_PORT = 12346;
    /** A transfer of 2 MiB across three namespaces takes well under a second; this only bounds a hang. */
    private static final Duration CURL_LIMIT = Duration.ofSeconds(20);
    /** How long a refusal may take to show in the log after the client saw its connection closed. */
    private static final Duration LOG_WAIT = Duration.ofSeconds(5);
    private static final String URL = "http://" + DEST_IP + ":" + WEB_PORT + "/file";
    private static final String REFUSED = "INFO .*\\brefused\\b";

    private NetnsLab lab;
    private GatewayTopology net;
    private Path root;
    private String fileSha256;
    private String key;
    private JdkWebServer web;
    private FerryProcess backend;
    private FerryProcess frontend;
    private int outputs;

    /** Prints the lab when a test fails; runs before @AfterEach closes it. */
    @RegisterExtension
    final AfterTestExecutionCallback printLabOnFailure = context -> LabEnd.report("RedirectTest", context, lab, SEED);

    @BeforeAll
    static void requireLab() {
        String reason = NetnsLab.unavailableReason();
        assumeTrue(reason == null, () -> "SKIPPED: " + reason);
        assumeTrue(HostTools.find("curl") != null, "SKIPPED: curl is not installed (./test.sh installs it as root)");
        assumeTrue(HostTools.jwebserver() != null, "SKIPPED: this JDK has no jwebserver beside its java binary");
    }

    @BeforeEach
    void startServerSide() throws Exception {
        lab = new NetnsLab();
        net = GatewayTopology.build(lab);
        byte[] content = new byte[FILE_SIZE];
        new SplittableRandom(SEED).nextBytes(content);
        root = Files.createDirectories(lab.dir().resolve("www"));
        Files.write(root.resolve("file"), content);
        fileSha256 = sha256(content);
        key = PresharedKey.generateSpec(new SecureRandom());
        // Started, not awaited: the JVMs boot side by side while a test proves the destination unreachable.
        web = JdkWebServer.start(lab, net.srv, DEST_IP, WEB_PORT, root);
        backend = FerryProcess.backend(lab, net.srv, key, "--listen", SRV_IP + ":" + BACKEND_PORT);
    }

    @AfterEach
    void tearDown() {
        LabEnd.close(lab, frontend, backend);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void forwardBaselineReachesTheDestinationOnlyThroughTheTunnel() throws Exception {
        startFrontend("-L", "0.0.0.0:" + REDIRECT_PORT + "=" + DEST_IP + ":" + WEB_PORT);
        assertUnreachable(net.lan, URL);
        assertUnreachable(net.gw, URL);
        awaitReady();

        assertFetchesFile(net.lan, "http://" + GW_LAN_IP + ":" + REDIRECT_PORT + "/file");
        assertEquals(1, web.requestsLogged("GET /file", 1), "the web server in SRV served the request");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void lanClientIsCarriedThroughTheGatewaysPreroutingRedirect() throws Exception {
        startFrontend("--redirect", "0.0.0.0:" + REDIRECT_PORT, "--allow-client", "192.168.200.0/24");
        assertUnreachable(net.lan, URL);
        // The README's LAN gateway recipe: every LAN connection but those to the gateway itself.
        lab.iptables(net.gw, "-t", "nat", "-A", "PREROUTING", "-i", GW_LAN_DEV, "-p", "tcp",
                "-m", "addrtype", "!", "--dst-type", "LOCAL",
                "-j", "REDIRECT", "--to-ports", Integer.toString(REDIRECT_PORT));
        awaitReady();

        assertFetchesFile(net.lan, URL);
        assertEquals(1, web.requestsLogged("GET /file", 1), "the web server in SRV served the request");
        assertEquals(0, frontend.countLines(REFUSED), "nothing refused");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void gatewaysOwnConnectionIsCarriedThroughTheOutputRedirect() throws Exception {
        startFrontend("--redirect", "0.0.0.0:" + REDIRECT_PORT);
        assertUnreachable(net.gw, URL);
        // The README's own-host recipe: everything but the tunnel itself (redirecting the frontend's own connection
        // to the backend would loop) and this host's own addresses (local services stay local).
        lab.iptables(net.gw, "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "!", "-d", SRV_IP,
                "-m", "addrtype", "!", "--dst-type", "LOCAL",
                "-j", "REDIRECT", "--to-ports", Integer.toString(REDIRECT_PORT));
        awaitReady();

        assertFetchesFile(net.gw, URL);
        assertEquals(1, web.requestsLogged("GET /file", 1), "the web server in SRV served the request");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void directConnectionIsRefusedAsNotRedirected() throws Exception {
        lab.iptables(net.gw, "-t", "nat", "-A", "PREROUTING", "-i", GW_LAN_DEV, "-p", "tcp", "-d", DEST_NET,
                "-j", "REDIRECT", "--to-ports", Integer.toString(REDIRECT_PORT));
        startFrontend("--redirect", "0.0.0.0:" + REDIRECT_PORT);
        awaitReady();

        // The NAT rule makes the kernel track GW's connections; one that no rule matched has its own local address
        // as original destination. From GW itself and from the LAN (the rule matches only DEST_NET).
        assertClosedWithoutData(net.gw, "http://" + GW_TUNNEL_IP + ":" + REDIRECT_PORT + "/");
        frontend.awaitLines(REFUSED + ".*not redirected", 1, LOG_WAIT);
        assertClosedWithoutData(net.lan, "http://" + GW_LAN_IP + ":" + REDIRECT_PORT + "/");
        frontend.awaitLines(REFUSED + ".*not redirected", 2, LOG_WAIT);

        assertFetchesFile(net.lan, URL); // the refusals left the listener and the tunnel working
        assertEquals(2, frontend.countLines(REFUSED), "one line per refused connection:\n" + frontend.log());
        assertEquals(0, backend.countLines("->.*:" + REDIRECT_PORT + "\\b"), "no stream reached the backend");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void directConnectionWithoutAnyNatRuleIsRefusedAsNotRedirected() throws Exception {
        startFrontend("--redirect", "0.0.0.0:" + REDIRECT_PORT);
        awaitReady();

        // No NAT rule in GW at all (the frontend started before its rules, or they were flushed): the kernel tracks
        // no connection there, so SO_ORIGINAL_DST has nothing to say (ENOENT). Such a connection was not redirected.
        assertClosedWithoutData(net.lan, "http://" + GW_LAN_IP + ":" + REDIRECT_PORT + "/");
        frontend.awaitLines(REFUSED + ".*not redirected", 1, LOG_WAIT);
        assertEquals(1, frontend.countLines(REFUSED), "one line per refused connection:\n" + frontend.log());
        assertTrue(frontend.process().isAlive(), "the frontend survived the connection");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void connectionsThatWouldLoopAreRefused() throws Exception {
        lab.iptables(net.gw, "-t", "nat", "-A", "PREROUTING", "-i", GW_LAN_DEV, "-p", "tcp",
                "-j", "REDIRECT", "--to-ports", Integer.toString(REDIRECT_PORT));
        startFrontend("--redirect", "0.0.0.0:" + REDIRECT_PORT);
        awaitReady();

        // Original destination: the backend's tunnel address. Carried, the backend would connect to itself.
        assertClosedWithoutData(net.lan, "http://" + SRV_IP + ":" + BACKEND_PORT + "/");
        frontend.awaitLines(REFUSED + ".*\\bloop\\b", 1, LOG_WAIT);

        // Original destination: the frontend's own listener, on GW's other address. Either reason is right, but
        // the refusal must be the LAN client's own connection, not a stream that came back from the backend.
        assertClosedWithoutData(net.lan, "http://" + GW_TUNNEL_IP + ":" + REDIRECT_PORT + "/");
        frontend.awaitLines(REFUSED + ".*" + LAN_IP.replace(".", "\\.") + ".*(\\bloop\\b|not redirected)", 2,
                LOG_WAIT);

        assertFetchesFile(net.lan, URL);
        assertEquals(2, frontend.countLines(REFUSED), "one line per refused connection:\n" + frontend.log());
        assertEquals(0, backend.countLines("-> " + SRV_IP.replace(".", "\\.") + ":" + BACKEND_PORT),
                "the backend was asked to connect to itself");
        assertEquals(0, backend.countLines("-> " + GW_TUNNEL_IP.replace(".", "\\.") + ":" + REDIRECT_PORT),
                "the backend was asked to connect back to the frontend");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void clientAccessRulesApplyToRedirectedConnections() throws Exception {
        lab.iptables(net.gw, "-t", "nat", "-A", "PREROUTING", "-i", GW_LAN_DEV, "-p", "tcp",
                "-j", "REDIRECT", "--to-ports", Integer.toString(REDIRECT_PORT));
        lab.iptables(net.gw, "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d", DEST_NET,
                "-j", "REDIRECT", "--to-ports", Integer.toString(REDIRECT_PORT));
        startFrontend("--redirect", "0.0.0.0:" + REDIRECT_PORT, "--deny-client", LAN_IP + "/32");
        awaitReady();

        assertClosedWithoutData(net.lan, URL);
        frontend.awaitLines(REFUSED + ".*" + LAN_IP.replace(".", "\\.") + ".*not allowed", 1, LOG_WAIT);
        assertFetchesFile(net.gw, URL); // GW's own connection comes from an address that is not denied
        assertEquals(1, web.requestsLogged("GET /file", 1), "only the allowed client's request was served");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void ipv6LanClientIsCarriedThroughTheGatewaysPreroutingRedirect() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/net/if_inet6")), "SKIPPED: this kernel has IPv6 off");
        assumeTrue(HostTools.find("ip6tables") != null, "SKIPPED: ip6tables is not installed");
        net.addIpv6();
        JdkWebServer web6 = JdkWebServer.start(lab, net.srv, DEST_IP6, WEB_PORT, root);
        startFrontend("--redirect", "[::]:" + REDIRECT6_PORT);
        String url6 = "http://[" + DEST_IP6 + "]:" + WEB_PORT + "/file";
        assertUnreachable(net.lan, url6);
        lab.ip6tables(net.gw, "-t", "nat", "-A", "PREROUTING", "-i", GW_LAN_DEV, "-p", "tcp",
                "-j", "REDIRECT", "--to-ports", Integer.toString(REDIRECT6_PORT));
        awaitReady();
        web6.awaitReady();

        assertFetchesFile(net.lan, url6);
        assertEquals(1, web6.requestsLogged("GET /file", 1), "the IPv6 web server in SRV served the request");
        assertEquals(0, frontend.countLines(REFUSED), "nothing refused");
    }

    /** Starts the frontend in GW against the backend; {@link #awaitReady()} waits for it and the server side. */
    private void startFrontend(String... args) {
        List<String> all = new ArrayList<>(List.of("--server", SRV_IP + ":" + BACKEND_PORT));
        all.addAll(List.of(args));
        frontend = FerryProcess.frontend(lab, net.gw, key, all.toArray(String[]::new));
    }

    private void awaitReady() {
        web.awaitReady();
        backend.awaitReady();
        frontend.awaitReady();
    }

    /** curl cannot even connect: what it sends leaves by a default route into the sink and nothing answers. */
    private void assertUnreachable(String ns, String url) {
        CommandResult r = lab.run(ns, CURL_LIMIT, "curl", "-sS", "-g", "--connect-timeout", "1", "-o", "/dev/null",
                url);
        assertEquals(28, r.exitCode(), "expected curl to time out connecting (exit 28) without the tunnel: " + r);
    }

    /** curl in {@code ns} downloads {@code url}, and the bytes are those of the served file. */
    private void assertFetchesFile(String ns, String url) throws Exception {
        Path out = lab.dir().resolve("curl-" + (++outputs));
        CommandResult r = lab.run(ns, CURL_LIMIT.plusSeconds(5), "curl", "-sS", "-g", "--fail",
                "--max-time", Long.toString(CURL_LIMIT.toSeconds()), "-o", out.toString(), url);
        assertEquals(0, r.exitCode(), "curl in " + ns + " failed: " + r);
        assertEquals(fileSha256, sha256(Files.readAllBytes(out)), "SHA-256 of what curl got; seed " + SEED);
    }

    /**
     * The connection is accepted and closed without a byte of response: curl reports an empty reply (52) when the
     * close came after its request was read, a reset (56) when it came with the request unread.
     */
    private void assertClosedWithoutData(String ns, String url) throws Exception {
        Path out = lab.dir().resolve("curl-" + (++outputs));
        CommandResult r = lab.run(ns, CURL_LIMIT, "curl", "-sS", "-g", "--max-time", "5", "-o", out.toString(), url);
        assertTrue(r.exitCode() == 52 || r.exitCode() == 56,
                "expected the connection closed without a response (curl exit 52 or 56): " + r);
        assertTrue(!Files.exists(out) || Files.size(out) == 0, "curl received data from a refused connection");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
