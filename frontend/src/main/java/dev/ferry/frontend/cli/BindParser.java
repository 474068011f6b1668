package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.HostPort;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/**
 * Parses a listening address, {@code [BIND:]PORT}. BIND defaults to 127.0.0.1, as for {@code -L}: listening wider
 * lets anyone who reaches the port use the tunnel, so that has to be asked for.
 */
public final class BindParser implements ITypeConverter<InetSocketAddress> {
    static final String SYNTAX = "[BIND:]PORT";
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /** @throws IllegalArgumentException one line saying what is wrong with {@code text} */
    public static InetSocketAddress parse(String text) {
        if (DIGITS.matcher(text).matches()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), HostPort.parsePort(text, text, false));
        }
        if (text.isEmpty() || text.indexOf('=') >= 0) {
            throw new IllegalArgumentException("expected " + SYNTAX + ", got '" + text + "'");
        }
        return HostPort.parse(text, false).resolve();
    }

    @Override
    public InetSocketAddress convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
