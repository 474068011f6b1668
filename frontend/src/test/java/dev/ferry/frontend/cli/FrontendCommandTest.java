package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.CliContext;
import dev.ferry.crypto.CipherKind;
import dev.ferry.frontend.BackendSpec;
import dev.ferry.frontend.ClientAccess;
import dev.ferry.frontend.Entrance;
import dev.ferry.frontend.FrontendConfig;
import dev.ferry.frontend.PortForward;
import dev.ferry.transport.IoRuntime;
import dev.ferry.tunnel.balance.Balance;
import dev.ferry.transport.Transports;
import dev.ferry.tunnel.wire.Destination;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.ferry.frontend.cli.Run.KEY;
import static dev.ferry.frontend.cli.Run.ferry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing and validation of {@code ferry frontend}; nothing here opens a socket. */
class FrontendCommandTest {

    private static FrontendConfig config(String... args) {
        CliContext context = Run.context(Map.of(), new ArrayList<>());
        FrontendCommand cmd = new FrontendCommand(context);
        new CommandLine(cmd).parseArgs(args);
        return cmd.config();
    }

    private static void assertUsageError(Run r, String expectedLine) {
        assertEquals(2, r.exit(), r.err());
        assertEquals(List.of(expectedLine), r.errLines());
        assertEquals("", r.out());
    }

    @Test
    void defaults() {
        FrontendConfig c = config("--server", "vps.example.com:7000", "--key", KEY, "-L", "2222=127.0.0.1:22");
        assertTrue(c.server().isUnresolved(), "a name is resolved at each connect, not now");
        assertEquals("vps.example.com", c.server().getHostString());
        assertEquals(7000, c.server().getPort());
        assertEquals("tcp", c.transport());
        assertEquals(CipherKind.AES_256_GCM, c.tunnel().cipher());
        assertFalse(c.tunnel().allowNoEncryption());
        assertEquals(Duration.ofSeconds(2), c.tunnel().keepaliveInterval());
        assertEquals(Duration.ofSeconds(8), c.tunnel().deadAfter());
        assertEquals(Duration.ofSeconds(10), c.openWait());
        assertEquals(Duration.ofSeconds(30), c.drainTimeout());
        assertEquals(List.of(new PortForward(new InetSocketAddress("127.0.0.1", 2222),
                Destination.parse("127.0.0.1", 22))), c.forwards());
    }

    @Test
    void forwardsBindsAndIpv6() {
        FrontendConfig c = config("--server", "[2001:db8::7]:7000", "--key", KEY,
                "-L", "2222=host.internal:22", "-L", "0.0.0.0:3389=10.0.0.5:3389", "-L", "[::1]:5432=[fd00::5]:5432",
                "--cipher", "chacha20-poly1305", "--open-wait", "500ms", "--drain-timeout", "0",
                "--keepalive", "1s", "--dead-after", "3s");
        assertFalse(c.server().isUnresolved());
        assertEquals(new InetSocketAddress("2001:db8::7", 7000), c.server());
        assertEquals(List.of(
                new PortForward(new InetSocketAddress("127.0.0.1", 2222), Destination.domain("host.internal", 22)),
                new PortForward(new InetSocketAddress("0.0.0.0", 3389), Destination.parse("10.0.0.5", 3389)),
                new PortForward(new InetSocketAddress("::1", 5432), Destination.parse("fd00::5", 5432))),
                c.forwards());
        assertEquals(CipherKind.CHACHA20_POLY1305, c.tunnel().cipher());
        assertEquals(Duration.ofMillis(500), c.openWait());
        assertEquals(Duration.ZERO, c.drainTimeout());
        assertEquals(Duration.ofSeconds(3), c.tunnel().deadAfter());
    }

    @Test
    void cipherNoneWithTheInsecureFlag() {
        FrontendConfig c = config("--server", "h:1", "--key", KEY, "-L", "1=h:1", "--cipher", "none",
                "--insecure-no-encryption");
        assertEquals(CipherKind.NONE, c.tunnel().cipher());
        assertTrue(c.tunnel().allowNoEncryption());
    }

    @Test
    void cipherNoneWithoutTheInsecureFlagIsRefused() {
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "-L", "1=h:1", "--cipher", "none"),
                "ferry: --cipher none sends everything in the clear and unauthenticated; "
                        + "add --insecure-no-encryption if that is really what you want");
    }

    @Test
    void insecureFlagWithoutCipherNoneIsRefused() {
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "-L", "1=h:1",
                        "--insecure-no-encryption"),
                "ferry: --insecure-no-encryption only goes with --cipher none (the cipher is aes-256-gcm)");
    }

    @Test
    void missingServer() {
        assertUsageError(ferry("frontend", "--key", KEY, "-L", "2222=127.0.0.1:22"),
                "ferry: missing --server HOST:PORT[,weight=N]");
    }

    @Test
    void missingServerAndForward() {
        assertUsageError(ferry("frontend", "--key", KEY), "ferry: missing --server HOST:PORT[,weight=N]");
    }

    @Test
    void twoKeySources() {
        assertUsageError(ferry(Map.of("FERRY_KEY", KEY), "frontend", "--server", "h:1", "-L", "1=h:1",
                "--key", KEY), "ferry: key given twice: --key and FERRY_KEY conflict; give exactly one");
    }

    @Test
    void noKey() {
        assertUsageError(ferry("frontend", "--server", "h:1", "-L", "1=h:1"),
                "ferry: no key: give --key, --key-file or set FERRY_KEY");
    }

    @Test
    void sameBindTwice() {
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "-L", "2222=a:1", "-L",
                "127.0.0.1:2222=b:2"), "ferry: -L/--redirect/--tproxy/--socks: 127.0.0.1:2222 is given twice");
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "-L", "1080=a:1", "--socks", "1080"),
                "ferry: -L/--redirect/--tproxy/--socks: 127.0.0.1:1080 is given twice");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--server|foo|ferry: --server: expected HOST:PORT, got 'foo'",
            "--server|h:0|ferry: --server: port must be 1 to 65535, got '0' in 'h:0'",
            "-L|2222:host:22|ferry: -L: expected [BIND:]PORT=HOST:PORT, got '2222:host:22' (ssh's PORT:HOST:PORT "
                    + "is written PORT=HOST:PORT here)",
            "-L|2222|ferry: -L: expected [BIND:]PORT=HOST:PORT, got '2222'",
            "-L|0=h:22|ferry: -L: port must be 1 to 65535, got '0' in '0=h:22'",
            "-L|70000=h:22|ferry: -L: port must be 1 to 65535, got '70000' in '70000=h:22'",
            "-L|=h:22|ferry: -L: missing the local PORT before '=' in '=h:22'",
            "-L|2222=|ferry: -L: missing the target HOST:PORT after '=' in '2222='",
            "-L|2222=fd00::5:22|ferry: -L: put an IPv6 address in brackets, as in [fd00::5]:22, got 'fd00::5:22'",
            "-L|2222=h|ferry: -L: expected HOST:PORT, got 'h'",
            "--cipher|rot13|ferry: --cipher: unknown cipher 'rot13' (known: aes-256-gcm, chacha20-poly1305, "
                    + "aes-128-gcm, none)",
            "--open-wait|soon|ferry: --open-wait: expected a duration like 500ms, 10s, 2m or 1h, got 'soon'",
            "--keepalive|5|ferry: --keepalive: expected a duration like 500ms, 10s, 2m or 1h, got '5'",
            "--dead-after|1s|ferry: --dead-after (1s) must be longer than --keepalive (2s)",
            "--udp-timeout|0s|ferry: --udp-timeout: must be more than 0",
            "-U|5353|ferry: -U: expected [BIND:]PORT=HOST:PORT, got '5353'",
            "--transport|kcpx|ferry: --transport: unknown transport 'kcpx' (known: tcp, kcp, udp)",
            "--deny-client|10.0.0.0/33|ferry: --allow-client/--deny-client: bad rule '10.0.0.0/33': prefix length "
                    + "must be 0 to 32",
            "--allow-client|lan.example|ferry: --allow-client/--deny-client: bad rule 'lan.example': 'lan.example' "
                    + "is not an IP address or CIDR (names are not allowed)",
            "--max-connections|-1|ferry: --max-connections: must be 0 (no limit) or more, got -1",
            "--socks|1080=h:1|ferry: --socks: expected [BIND:]PORT, got '1080=h:1'",
            "--server|h:1,weight=0|ferry: --server: weight must be 1 to 65535, got '0' in 'h:1,weight=0'",
            "--server|h:1,w=2|ferry: --server: expected HOST:PORT[,weight=N], got 'h:1,w=2'",
            "--conn|0|ferry: --conn: must be 1 to 16, got 0",
            "--conn|17|ferry: --conn: must be 1 to 16, got 17",
            "--balance|random|ferry: --balance: unknown balance 'random' (known: round-robin, weighted, "
                    + "least-streams, lowest-rtt)",
            "--socks|0.0.0.0:0|ferry: --socks: port must be 1 to 65535, got '0' in '0.0.0.0:0'",
            "--redirect|fd00::1:12345|ferry: --redirect: put an IPv6 address in brackets, as in [fd00::1]:12345, got "
                    + "'fd00::1:12345'",
            "--socks-users|/nonexistent/users|ferry: --socks-users goes with --socks",
            "--max-connections-per-client|-2|ferry: --max-connections-per-client: must be 0 (no limit) or more, "
                    + "got -2",
    })
    void badValuesGiveOneLineNamingTheOption(String option, String value, String expected) {
        List<String> args = new ArrayList<>(List.of("frontend", "--key", KEY));
        if (!option.equals("--server")) {
            args.addAll(List.of("--server", "h:1"));
        }
        if (!option.equals("-L")) {
            args.addAll(List.of("-L", "2222=127.0.0.1:22"));
        }
        args.addAll(List.of(option, value));
        assertUsageError(ferry(args.toArray(String[]::new)), expected);
    }

    @Test
    void clientAccessAndLimits() {
        FrontendConfig c = config("--server", "h:7000", "--key", KEY, "-L", "0.0.0.0:2222=h:22", "--allow-client",
                "192.168.1.0/24", "--deny-client", "192.168.1.9", "--max-connections", "100",
                "--max-connections-per-client", "8");
        assertEquals(100, c.access().maxConnections());
        assertEquals(8, c.access().maxPerClient());
        assertTrue(c.access().addresses().permits(new InetSocketAddress("192.168.1.20", 50000)));
        assertFalse(c.access().addresses().permits(new InetSocketAddress("192.168.1.9", 50000)), "deny wins");
        assertFalse(c.access().addresses().permits(new InetSocketAddress("10.0.0.1", 50000)), "not allowed");
        assertEquals(ClientAccess.OPEN, config("--server", "h:7000", "--key", KEY, "-L", "1=h:2").access(),
                "default: any client, no limits");
    }

    @Test
    void udpForwardsAndTheUdpTransport() {
        FrontendConfig c = config("--server", "h:7000", "--key", KEY, "--transport", "udp", "-U", "5353=10.0.0.1:53",
                "-U", "0.0.0.0:5060=sip.example.com:5060", "--udp-timeout", "30s");
        assertEquals("udp", c.transport());
        assertEquals(List.of(), c.forwards());
        assertEquals(List.of(
                new PortForward(new InetSocketAddress("127.0.0.1", 5353), Destination.parse("10.0.0.1", 53)),
                new PortForward(new InetSocketAddress("0.0.0.0", 5060), Destination.domain("sip.example.com", 5060))),
                c.udpForwards());
        assertEquals(Duration.ofSeconds(30), c.tunnel().udpIdle());
        assertEquals(Duration.ofSeconds(60), config("--server", "h:7000", "--key", KEY, "-L", "1=h:2").tunnel()
                .udpIdle(), "default");
    }

    @Test
    void udpTransportRefusesTcpForwards() {
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "--transport", "udp", "-L", "2222=h:22",
                        "-U", "5353=h:53"),
                "ferry: --transport udp carries only UDP flows (-U); for TCP (-L, --redirect, --tproxy, --socks) use "
                        + "--transport kcp or tcp");
    }

    @Test
    void someForwardIsNeeded() {
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY),
                "ferry: give at least one -L (TCP) or -U (UDP) forward, --redirect, --tproxy or --socks");
    }

    @Test
    void aUdpBindGivenTwice() {
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "-U", "53=h:53", "-U", "53=k:53"),
                "ferry: -U/--tproxy: 127.0.0.1:53 is given twice");
    }

    @Test
    void socksEntranceWithUsers(@TempDir Path dir) throws IOException {
        Path users = Files.writeString(dir.resolve("users"), "# who may log in\nalice:pa:ss\n\nbob:x\n");
        FrontendConfig c = config("--server", "h:7000", "--key", KEY, "--socks", "1080", "--socks",
                "0.0.0.0:1081", "--socks-users", users.toString());
        assertEquals(2, c.entrances().size());
        Entrance.Socks first = (Entrance.Socks) c.entrances().get(0);
        assertEquals(new InetSocketAddress("127.0.0.1", 1080), first.bind());
        assertTrue(first.users().required());
        assertEquals(2, first.users().size());
        assertEquals(new InetSocketAddress("0.0.0.0", 1081), c.entrances().get(1).bind());
        assertFalse(first.fastOpen());
        Entrance.Socks plain = (Entrance.Socks) config("--server", "h:7000", "--key", KEY, "--socks", "1080")
                .entrances().get(0);
        assertFalse(plain.users().required(), "default: no login");
        assertTrue(((Entrance.Socks) config("--server", "h:7000", "--key", KEY, "--socks", "1080",
                "--socks-fast-open").entrances().get(0)).fastOpen());
    }

    @Test
    void badUsersFilesGiveOneLine(@TempDir Path dir) throws IOException {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("alice", "line 1: expected NAME:PASSWORD, both not empty");
        cases.put("alice:x\nalice:y", "line 2: user 'alice' is given twice");
        cases.put("\n# nobody\n", "no NAME:PASSWORD line");
        cases.put("ren\u00e9:x", "line 1: names and passwords must be printable ASCII");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path users = Files.writeString(dir.resolve("users"), c.getKey());
            assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "--socks", "1080", "--socks-users",
                    users.toString()), "ferry: --socks-users " + users + ": " + c.getValue());
        }
    }

    @Test
    void severalBackendsWithWeights() {
        FrontendConfig c = config("--server", "a.example:7000,weight=3", "--server", "203.0.113.9:7000", "--key",
                KEY, "-L", "1=h:2", "--conn", "4", "--balance", "lowest-rtt");
        assertEquals(List.of(new BackendSpec(InetSocketAddress.createUnresolved("a.example", 7000), 3),
                new BackendSpec(new InetSocketAddress("203.0.113.9", 7000), 0)), c.servers());
        assertEquals(4, c.conn());
        assertEquals(Balance.LOWEST_RTT, c.balance());
        FrontendConfig one = config("--server", "h:7000", "--key", KEY, "-L", "1=h:2");
        assertEquals(1, one.conn());
        assertEquals(Balance.WEIGHTED, one.balance(), "default");
        assertUsageError(ferry("frontend", "--server", "h:1", "--server", "h:1,weight=2", "--key", KEY, "-L",
                "1=h:2"), "ferry: --server: h:1 is given twice (use --conn for more tunnels to one backend)");
    }

    @Test
    void socksFastOpenGoesWithSocks() {
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "-L", "1=h:1", "--socks-fast-open"),
                "ferry: --socks-fast-open goes with --socks");
    }

    @Test
    void anUnreadableUsersFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        Run r = ferry("frontend", "--server", "h:1", "--key", KEY, "--socks", "1080", "--socks-users",
                missing.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("ferry: --socks-users " + missing + ": cannot read it"), r.err());
    }

    @Test
    void tproxyNeedsEpollAndItsUdpPortIsItsOwn() {
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "--tproxy", "0.0.0.0:12345"),
                "ferry: --tproxy needs Linux's epoll I/O (IP_TRANSPARENT); this process runs nio");
        CliContext epoll = new CliContext(IoRuntime.epoll(), new Transports(IoRuntime.epoll()), new SecureRandom(),
                Map.<String, String>of()::get, h -> { });
        FrontendCommand cmd = new FrontendCommand(epoll);
        new CommandLine(cmd).parseArgs("--server", "h:1", "--key", KEY, "--tproxy", "0.0.0.0:12345", "-U",
                "0.0.0.0:12345=h:53");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                cmd::config);
        assertEquals("-U/--tproxy: 0.0.0.0:12345 is given twice", e.getMessage());
    }

    @Test
    void redirectNeedsEpoll() {
        // Run's context uses NIO I/O, which has no SO_ORIGINAL_DST.
        assertUsageError(ferry("frontend", "--server", "h:1", "--key", KEY, "--redirect", "0.0.0.0:12345"),
                "ferry: --redirect needs Linux's epoll I/O (SO_ORIGINAL_DST); this process runs nio");
    }

    @Test
    void unknownOption() {
        assertUsageError(ferry("frontend", "--sever", "h:1"), "ferry: unknown option '--sever' (did you mean --server?)");
    }
}
