package dev.ferry.backend.cli;

import dev.ferry.backend.DestinationPolicy;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.function.Function;

/**
 * picocli converters for the value types ferry's options share. Each turns the parser's one-line
 * {@link IllegalArgumentException} into a {@link TypeConversionException}, which {@link Cli} reports as
 * {@code ferry: --option: message}.
 */
public final class Converters {
    private Converters() {
    }

    static <T> T convert(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.convert(value, Durations::parse);
        }
    }

    /** {@code 256k}, {@code 1m}: a byte size from 16k to 1g. */
    public static final class SizeConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return Converters.convert(value, Sizes::parse);
        }
    }

    /** {@code HOST:PORT} with a port of 1 to 65535. */
    public static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return Converters.convert(value, v -> HostPort.parse(v, false));
        }
    }

    /** {@code HOST:PORT} to listen on: port 0 means any free port; {@code :PORT} means every IPv4 address. */
    public static final class ListenConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return Converters.convert(value.matches(":\\d+") ? "0.0.0.0" + value : value,
                    v -> HostPort.parse(v, true));
        }
    }

    /** A destination rule, checked now so the error names its option; kept as text for {@link DestinationPolicy}. */
    public static final class RuleConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            Converters.convert(value, DestinationPolicy.Rule::parse);
            return value;
        }
    }
}
