package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.Cli;
import dev.ferry.backend.cli.CliContext;
import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;
import picocli.CommandLine;

import java.security.SecureRandom;
import java.util.Map;

/**
 * The {@code ferry} command. The one place that builds the process's shared objects (I/O runtime, transports,
 * randomness, environment, shutdown hooks) and hands them to the commands.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        configureLogging();
        IoRuntime io = IoRuntime.detect();
        CliContext context = new CliContext(io, new Transports(io), new SecureRandom(), System::getenv,
                Runtime.getRuntime()::addShutdownHook);
        System.exit(commandLine(context).execute(args));
    }

    /** The whole command tree, with one-line error reporting; tests call this with their own context. */
    public static CommandLine commandLine(CliContext context) {
        return Cli.configure(new CommandLine(FerryCommand.class, new CommandFactory(context)));
    }

    /** One short line per event on stderr; a -D on the command line still wins. */
    private static void configureLogging() {
        Map<String, String> defaults = Map.of(
                "org.slf4j.simpleLogger.showDateTime", "true",
                "org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS",
                "org.slf4j.simpleLogger.showThreadName", "false",
                "org.slf4j.simpleLogger.showShortLogName", "true",
                "org.slf4j.simpleLogger.log.io.netty", "warn");
        defaults.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }
}
