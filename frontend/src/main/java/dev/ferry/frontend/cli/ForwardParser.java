package dev.ferry.frontend.cli;

import dev.ferry.backend.cli.HostPort;
import dev.ferry.frontend.PortForward;
import dev.ferry.tunnel.wire.Destination;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/**
 * Parses {@code -L [BIND:]PORT=HOST:PORT}. BIND defaults to 127.0.0.1: a forward bound wider lets anyone who can
 * reach it use the tunnel, so that has to be asked for. The target is never resolved here: a name travels to the
 * backend, which resolves it on its side.
 */
public final class ForwardParser implements ITypeConverter<PortForward> {
    static final String SYNTAX = "[BIND:]PORT=HOST:PORT";
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern SSH_STYLE = Pattern.compile("(.+:)?\\d+:.+:\\d+");

    /** @throws IllegalArgumentException one line saying what is wrong with {@code text} */
    public static PortForward parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            String hint = SSH_STYLE.matcher(text).matches() ? " (ssh's PORT:HOST:PORT is written PORT=HOST:PORT here)"
                    : "";
            throw new IllegalArgumentException("expected " + SYNTAX + ", got '" + text + "'" + hint);
        }
        String left = text.substring(0, eq);
        String right = text.substring(eq + 1);
        InetSocketAddress bind;
        if (DIGITS.matcher(left).matches()) {
            bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), HostPort.parsePort(left, text, false));
        } else if (left.isEmpty()) {
            throw new IllegalArgumentException("missing the local PORT before '=' in '" + text + "'");
        } else {
            bind = HostPort.parse(left, false).resolve();
        }
        if (right.isEmpty()) {
            throw new IllegalArgumentException("missing the target HOST:PORT after '=' in '" + text + "'");
        }
        HostPort target = HostPort.parse(right, false);
        return new PortForward(bind, Destination.parse(target.host(), target.port()));
    }

    @Override
    public PortForward convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
