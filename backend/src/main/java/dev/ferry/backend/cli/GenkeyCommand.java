package dev.ferry.backend.cli;

import dev.ferry.crypto.PresharedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ferry genkey}: prints a fresh random key. */
@Command(name = "genkey", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Print a fresh random key (32 bytes, base64) for --key, --key-file or FERRY_KEY.",
        footerHeading = "%nExamples:%n",
        footer = {"  ferry genkey > ferry.key && chmod 600 ferry.key",
                "  export FERRY_KEY=$(ferry genkey)"})
public final class GenkeyCommand implements Callable<Integer> {
    private final CliContext context;

    @Spec
    CommandSpec spec;

    public GenkeyCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(PresharedKey.generateSpec(context.random()));
        spec.commandLine().getOut().flush();
        return Cli.OK;
    }
}
