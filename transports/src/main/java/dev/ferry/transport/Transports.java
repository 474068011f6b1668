package dev.ferry.transport;

import dev.ferry.transport.kcp.KcpOptions;
import dev.ferry.transport.kcp.KcpTransport;
import dev.ferry.transport.tcp.TcpTransport;

import java.util.List;

/** The transports this build knows, by name. Built by {@code Main}; not a singleton. */
public final class Transports {
    private static final List<String> NAMES = List.of("tcp", "kcp", "udp");

    private final IoRuntime io;

    public Transports(IoRuntime io) {
        this.io = io;
    }

    public List<String> names() {
        return NAMES;
    }

    /** @throws IllegalArgumentException naming the known transports when {@code name} is not one of them */
    public String requireKnown(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown transport '" + name + "' (known: " + String.join(", ", NAMES)
                    + ")");
        }
        return name;
    }

    /** A transport of the given name, set up with {@code options}. */
    public Transport create(String name, TransportOptions options) {
        requireKnown(name);
        return switch (name) {
            case "kcp", "udp" -> new KcpTransport(io, new KcpOptions(options.key(), options.cipher(), options.kcp().engine(),
                    options.kcp().fec(), options.wallClock(), Transports::monotonicMillis, options.random(),
                    KcpOptions.DEFAULT_MAX_SESSIONS, options.kcp().downBitsPerSecond()), name);
            default -> new TcpTransport(io);
        };
    }

    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }
}
