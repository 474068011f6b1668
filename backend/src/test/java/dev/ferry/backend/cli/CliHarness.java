package dev.ferry.backend.cli;

import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a command line in memory: captured stdout/stderr, a given environment, shutdown hooks recorded, not run. */
public final class CliHarness {
    public final List<Thread> hooks = new ArrayList<>();
    private final Map<String, String> env;

    public CliHarness(Map<String, String> env) {
        this.env = env;
    }

    public CliHarness() {
        this(Map.of());
    }

    public CliContext context() {
        IoRuntime io = IoRuntime.nio();
        return new CliContext(io, new Transports(io), new SecureRandom(), env::get, hooks::add);
    }

    public record Result(int exit, String out, String err) {
        public List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n", -1)).subList(0, err.split("\n", -1).length
                    - (err.endsWith("\n") ? 1 : 0));
        }
    }

    public static Result run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Cli.configure(cl);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
