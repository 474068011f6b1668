package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.CliContext;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code ferry ARGS} in memory through the real command tree; shutdown hooks are recorded, never installed. */
record Run(int exit, String out, String err) {
    static final String KEY = "base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    static CliContext context(Map<String, String> env, List<Thread> hooks) {
        IoRuntime io = IoRuntime.nio();
        return new CliContext(io, new Transports(io), new SecureRandom(), env::get, hooks::add);
    }

    static Run ferry(Map<String, String> env, String... args) {
        CommandLine cl = Main.commandLine(context(env, new ArrayList<>()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Run ferry(String... args) {
        return ferry(Map.of(), args);
    }

    List<String> errLines() {
        return err.isEmpty() ? List.of() : List.of(err.stripTrailing().split("\n"));
    }
}
