package dev.ferry.backend.cli;

import dev.ferry.transport.IoRuntime;
import dev.ferry.transport.Transports;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the commands need from the process, built once by {@code Main} and handed to each command's constructor:
 * the I/O runtime and transports, the randomness for keys, the environment (for {@code FERRY_KEY}) and where to
 * register shutdown hooks. Tests pass their own environment and a hook registrar that records instead of installing.
 */
public record CliContext(IoRuntime io, Transports transports, SecureRandom random,
                         Function<String, String> env, Consumer<Thread> shutdownHooks) {
    public CliContext {
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(transports, "transports");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(shutdownHooks, "shutdownHooks");
    }
}
