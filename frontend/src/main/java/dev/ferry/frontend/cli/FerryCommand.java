package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.BackendCommand;
import dev.ferry.backend.cli.Cli;
import dev.ferry.backend.cli.GenkeyCommand;
import dev.ferry.backend.cli.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ferry}: the root command; on its own it prints its usage. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"A tunnel accelerator: the TCP connections a frontend accepts travel as streams of one "
                + "encrypted, multiplexed tunnel to a backend, which connects them to their destinations."},
        subcommands = {BackendCommand.class, FrontendCommand.class, GenkeyCommand.class, DemoCommand.class,
                StatusCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  ferry demo                     # try it on one machine, then curl as it says",
                "",
                "  ferry genkey > ferry.key       # copy the file to both ends",
                "  ferry backend --key-file ferry.key                  # server: listens on :7000",
                "  ferry frontend --key-file ferry.key --server vps.example.com:7000 \\",
                "      -L 2222=127.0.0.1:22                            # client",
                "  ssh -p 2222 localhost          # the server's SSH, through the tunnel",
                "",
                "Run 'ferry COMMAND --help' for a command's options."})
public final class FerryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Cli.USAGE;
    }
}
