package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.BackendCommand;
import dev.ferry.backend.cli.CliContext;
import dev.ferry.backend.cli.GenkeyCommand;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/** Gives the commands their {@link CliContext} through their constructors; everything else picocli makes itself. */
final class CommandFactory implements IFactory {
    private final CliContext context;
    private final IFactory fallback = CommandLine.defaultFactory();

    CommandFactory(CliContext context) {
        this.context = context;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        Object made;
        if (cls == BackendCommand.class) {
            made = new BackendCommand(context);
        } else if (cls == FrontendCommand.class) {
            made = new FrontendCommand(context);
        } else if (cls == GenkeyCommand.class) {
            made = new GenkeyCommand(context);
        } else if (cls == DemoCommand.class) {
            made = new DemoCommand(context);
        } else {
            return fallback.create(cls);
        }
        return cls.cast(made);
    }
}
