package dev.ferry.backend.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version} of every command. */
public final class Version implements IVersionProvider {
    public static final String VERSION = "0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {"ferry " + VERSION};
    }
}
