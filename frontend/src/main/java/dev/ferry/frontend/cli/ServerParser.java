package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.HostPort;
import dev.ferry.frontend.BackendSpec;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code --server HOST:PORT[,weight=N]}. The host is not resolved here: a name is looked up at each connect.
 */
public final class ServerParser implements ITypeConverter<BackendSpec> {
    static final String SYNTAX = "HOST:PORT[,weight=N]";

    /** @throws IllegalArgumentException one line saying what is wrong with {@code text} */
    public static BackendSpec parse(String text) {
        int comma = text.indexOf(',');
        HostPort address = HostPort.parse(comma < 0 ? text : text.substring(0, comma), false);
        int weight = 0;
        if (comma >= 0) {
            String option = text.substring(comma + 1);
            if (!option.startsWith("weight=")) {
                throw new IllegalArgumentException("expected " + SYNTAX + ", got '" + text + "'");
            }
            String n = option.substring("weight=".length());
            if (!n.matches("\\d{1,5}") || Integer.parseInt(n) < 1 || Integer.parseInt(n) > 65535) {
                throw new IllegalArgumentException("weight must be 1 to 65535, got '" + n + "' in '" + text + "'");
            }
            weight = Integer.parseInt(n);
        }
        return new BackendSpec(address.toUnresolvedUnlessLiteral(), weight);
    }

    @Override
    public BackendSpec convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
