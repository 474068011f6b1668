package dev.ferry.backend.cli;

import dev.ferry.backend.BackendConfig;
import dev.ferry.crypto.PresharedKey;
import dev.ferry.transport.kcp.KcpTuning;
import dev.ferry.transport.kcp.engine.Congestion;
import dev.ferry.transport.kcp.engine.KcpConfig;
import dev.ferry.transport.udp.FecSetting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing and validation only: nothing here starts a server. */
class BackendCommandTest {
    static final String KEY = "base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static CliHarness.Result run(Map<String, String> env, String... args) {
        CliHarness h = new CliHarness(env);
        return CliHarness.run(new CommandLine(new BackendCommand(h.context())), args);
    }

    private static CliHarness.Result run(String... args) {
        return run(Map.of(), args);
    }

    private static void assertUsageError(CliHarness.Result r, String expectedLine) {
        assertEquals(2, r.exit(), r.err());
        assertEquals(java.util.List.of(expectedLine), r.errLines());
        assertEquals("", r.out());
    }

    /** Parses like the real command does, then builds the config without starting anything. */
    private static BackendConfig config(Map<String, String> env, String... args) {
        BackendCommand cmd = new BackendCommand(new CliHarness(env).context());
        new CommandLine(cmd).parseArgs(args);
        return cmd.config();
    }

    @Test
    void defaults() {
        BackendConfig c = config(Map.of(), "--key", KEY);
        assertEquals(new InetSocketAddress("0.0.0.0", 7000), c.listen());
        assertEquals("tcp", c.transport());
        assertEquals(Duration.ofSeconds(10), c.connectTimeout());
        assertEquals(Duration.ofSeconds(30), c.drainTimeout());
        assertEquals(Duration.ofSeconds(2), c.tunnel().keepaliveInterval());
        assertEquals(Duration.ofSeconds(8), c.tunnel().deadAfter());
        assertFalse(c.tunnel().allowNoEncryption());
        assertTrue(c.policy().isAllowAll());
        assertEquals(PresharedKey.fromSpec(KEY), c.tunnel().key());
    }

    @Test
    void everyOptionReachesTheConfig() {
        BackendConfig c = config(Map.of(), "--listen", "[::1]:0", "--key", KEY, "--allow", "10.0.0.0/8:22",
                "--deny", "10.0.0.9", "--connect-timeout", "500ms", "--drain-timeout", "2m", "--keepalive", "1s",
                "--dead-after", "1m30s", "--insecure-no-encryption");
        assertEquals(new InetSocketAddress("::1", 0), c.listen());
        assertEquals(Duration.ofMillis(500), c.connectTimeout());
        assertEquals(Duration.ofMinutes(2), c.drainTimeout());
        assertEquals(Duration.ofSeconds(1), c.tunnel().keepaliveInterval());
        assertEquals(Duration.ofSeconds(90), c.tunnel().deadAfter());
        assertTrue(c.tunnel().allowNoEncryption());
        assertTrue(c.policy().permits(new InetSocketAddress("10.0.0.8", 22)));
        assertFalse(c.policy().permits(new InetSocketAddress("10.0.0.9", 22)));
        assertFalse(c.policy().permits(new InetSocketAddress("10.0.0.8", 80)));
    }

    @Test
    void kcpPresetsAndManualTuningReachTheConfig() {
        KcpConfig preset = config(Map.of(), "--key", KEY, "--transport", "kcp", "--mode", "normal", "--mtu", "1200",
                "--sndwnd", "256", "--rcvwnd", "2048").tunnel().kcp().engine();
        assertEquals(KcpConfig.normal().withMtu(1200).withWindows(256, 2048).withCongestion(Congestion.RATE)
                        .withAckDelay(5), preset,
                "a preset sets kcptun's retransmission settings; ferry's rate control and held acks stay on");
        assertEquals(Congestion.CLASSIC, config(Map.of(), "--key", KEY, "--congestion", "classic").tunnel().kcp()
                .engine().congestion());
        KcpConfig declared = config(Map.of(), "--key", KEY, "--up", "20mbit").tunnel().kcp().engine();
        assertEquals(Congestion.DECLARED, declared.congestion());
        // 20 Mbit/s of 1378-byte IP packets carry 1300-byte KCP packets (9 bytes left for FEC): 2.5 MB/s x 1300 / 1378
        assertEquals(2_500_000L * 1300 / 1378, declared.declaredBytesPerSecond());
        KcpConfig manual = config(Map.of(), "--key", KEY, "--mode", "manual", "--nodelay", "1", "--interval", "20",
                "--resend", "3", "--nc", "1").tunnel().kcp().engine();
        assertTrue(manual.nodelay());
        assertEquals(20, manual.intervalMillis());
        assertEquals(3, manual.fastResend());
        assertFalse(manual.congestionControl());
        assertEquals(KcpTuning.DEFAULT, config(Map.of(), "--key", KEY).tunnel().kcp(), "default: fast3, acks held 5 ms, FEC off");
        assertEquals(FecSetting.parse("10,3"), config(Map.of(), "--key", KEY, "--fec", "10,3").tunnel().kcp().fec());
        assertTrue(config(Map.of(), "--key", KEY, "--fec", "auto").tunnel().kcp().fec().auto());
        assertEquals(5, config(Map.of(), "--key", KEY).tunnel().kcp().engine().ackDelayMillis(), "acks held 5 ms");
        assertEquals(0, config(Map.of(), "--key", KEY, "--ack-delay", "0").tunnel().kcp().engine().ackDelayMillis());
    }

    @Test
    void colonPortListensOnEveryIpv4Address() {
        assertEquals(new InetSocketAddress("0.0.0.0", 7001), config(Map.of(), "--listen", ":7001", "--key", KEY)
                .listen());
    }

    @Test
    void keyFromFileIsTrimmedAndKeyFromEnvironmentWorks(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ferry.key");
        Files.writeString(file, "  " + KEY + "\n\n");
        assertEquals(PresharedKey.fromSpec(KEY), config(Map.of(), "--key-file", file.toString()).tunnel().key());
        assertEquals(PresharedKey.fromSpec(KEY), config(Map.of("FERRY_KEY", KEY)).tunnel().key());
    }

    @Test
    void noKey() {
        assertUsageError(run(), "ferry: no key: give --key, --key-file or set FERRY_KEY");
    }

    @Test
    void twoKeySourcesConflict() {
        assertUsageError(run(Map.of("FERRY_KEY", KEY), "--key", KEY),
                "ferry: key given twice: --key and FERRY_KEY conflict; give exactly one");
    }

    @Test
    void threeKeySourcesConflict(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("k"), KEY);
        CliHarness.Result r = run(Map.of("FERRY_KEY", KEY), "--key", KEY, "--key-file", file.toString());
        assertUsageError(r, "ferry: key given twice: --key and --key-file and FERRY_KEY conflict; give exactly one");
    }

    @Test
    void missingKeyFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        assertUsageError(run("--key-file", missing.toString()),
                "ferry: --key-file: cannot read '" + missing + "' (NoSuchFileException)");
    }

    @Test
    void emptyKeyFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("k"), " \n");
        assertUsageError(run("--key-file", file.toString()), "ferry: --key-file: '" + file + "' is empty");
    }

    @Test
    void badBase64KeyNamesItsSource() {
        CliHarness.Result r = run("--key", "base64:AAAA");
        assertEquals(2, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("ferry: --key: "), r.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--listen|foo|ferry: --listen: expected HOST:PORT, got 'foo'",
            "--listen|1.2.3.4:70000|ferry: --listen: port must be 0 to 65535, got '70000' in '1.2.3.4:70000'",
            "--listen|::1:7000|ferry: --listen: put an IPv6 address in brackets, as in [::1]:7000, got '::1:7000'",
            "--connect-timeout|10|ferry: --connect-timeout: expected a duration like 500ms, 10s, 2m or 1h, got '10'",
            "--drain-timeout|-1s|ferry: --drain-timeout: expected a duration like 500ms, 10s, 2m or 1h, got '-1s'",
            "--keepalive|2 s|ferry: --keepalive: expected a duration like 500ms, 10s, 2m or 1h, got '2 s'",
            "--allow|10.0.0.0/33|ferry: --allow: bad rule '10.0.0.0/33': prefix length must be 0 to 32",
            "--deny|example.com:25|ferry: --deny: bad rule 'example.com:25': 'example.com' is not an IP address or "
                    + "CIDR (names are not allowed)",
            "--transport|carrier-pigeon|ferry: --transport: unknown transport 'carrier-pigeon' (known: tcp, kcp, udp)",
            "--connect-timeout|0s|ferry: --connect-timeout: must be more than 0",
            "--keepalive|0|ferry: --keepalive: must be more than 0",
            "--dead-after|2s|ferry: --dead-after (2s) must be longer than --keepalive (2s)",
            "--mode|turbo|ferry: --mode: 'turbo' is not one of normal, fast, fast2, fast3, manual",
            "--mtu|100|ferry: --mtu: must be from 256 to 65507, got 100",
            "--rcvwnd|0|ferry: --rcvwnd: must be from 1 to 65535 packets, got 0",
            "--nodelay|1|ferry: --nodelay: only with --mode manual (the preset sets it)",
            "--fec|10|ferry: --fec: expected DATA,PARITY (like 10,3), 0,0 or auto, got '10'",
            "--congestion|bbr|ferry: --congestion: 'bbr' is not one of rate, classic, off",
            "--up|20mbps|ferry: --up: expected a rate like 500kbit, 20mbit or 1gbit, got '20mbps'",
            "--up|1kbit|ferry: --up: must be from 64kbit to 100gbit, got '1kbit'",
            "--ack-delay|101|ferry: --ack-delay: must be from 0 to 100 ms, got 101",
            "--fec|3,0|ferry: --fec: expected DATA,PARITY with both 0 (off) or both at least 1 and at most 128 shards in all, got 3,0",
    })
    void badValuesGiveOneLineNamingTheOption(String option, String value, String expected) {
        assertUsageError(run("--key", KEY, option, value), expected);
    }

    @Test
    void unknownOptionSuggestsTheRightOne() {
        assertUsageError(run("--key", KEY, "--lisen", ":7000"),
                "ferry: unknown option '--lisen' (did you mean --listen?)");
    }

    @Test
    void optionWithoutItsValue() {
        assertUsageError(run("--key", KEY, "--listen"), "ferry: --listen: needs a value (HOST:PORT)");
    }

    @Test
    void helpHasExamplesAndTheKeyWarning() {
        CliHarness.Result r = run("--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Examples:"), r.out());
        assertTrue(r.out().contains("'ps'"), r.out());
        assertTrue(r.out().contains("0.0.0.0:7000"), r.out());
    }

    @Test
    void version() {
        CliHarness.Result r = run("--version");
        assertEquals(0, r.exit());
        assertEquals("ferry 0.1.0\n", r.out());
    }
}
