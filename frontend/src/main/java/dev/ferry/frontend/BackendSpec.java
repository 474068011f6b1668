package dev.ferry.frontend;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One {@code --server HOST:PORT[,weight=N]}: a backend (its address may be unresolved: it is resolved at each
 * connect) and the weight the frontend gives it; 0 means "as the backend reports" (its {@code --weight}).
 */
public record BackendSpec(InetSocketAddress address, int weight) {
    public BackendSpec {
        Objects.requireNonNull(address, "address");
        if (weight < 0 || weight > 65535) {
            throw new IllegalArgumentException("weight must be 1 to 65535 (0: as the backend reports), got "
                    + weight);
        }
    }

    /** A backend weighted as it reports. */
    public static BackendSpec of(InetSocketAddress address) {
        return new BackendSpec(address, 0);
    }
}
