package dev.ferry.transport;

import dev.ferry.transport.tcp.TcpTransport;

import java.util.List;

/** The transports this build knows, by name. Built by {@code Main}; not a singleton. */
public final class Transports {
    private final List<Transport> all;

    public Transports(IoRuntime io) {
        this.all = List.of(new TcpTransport(io));
    }

    public List<String> names() {
        return all.stream().map(Transport::name).toList();
    }

    /** @throws IllegalArgumentException naming the known transports when {@code name} is not one of them */
    public Transport byName(String name) {
        for (Transport t : all) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
}
