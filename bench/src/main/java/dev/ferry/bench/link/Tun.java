package dev.ferry.bench.link;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A Linux TUN device opened through Java's FFM API ({@code java.lang.foreign}): no JNI, no library. Layer-3 mode
 * without packet information ({@code IFF_TUN | IFF_NO_PI}), so every {@code read}/{@code write} on the file
 * descriptor is exactly one IP packet.
 *
 * <p>What it calls in libc, and the kernel ABI it relies on (Linux, x86-64 and arm64 alike):
 * <ul>
 *   <li>{@code open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)};
 *   <li>{@code ioctl(fd, TUNSETIFF, &ifreq)}, {@code TUNSETIFF = _IOW('T', 202, int) = 0x400454ca}, with
 *       {@code struct ifreq} = 16 bytes of interface name (NUL-terminated) then a union whose first member is
 *       {@code short ifr_flags}, 40 bytes in all. The kernel writes back the name it chose (a {@code %d} in the name
 *       asks it to pick a number);
 *   <li>{@code read}/{@code write} of one packet on the non-blocking descriptor, and {@code ppoll} with a
 *       nanosecond timeout ({@code struct pollfd} = int fd, short events, short revents; {@code struct timespec} =
 *       two longs) to wait for the next one;
 *   <li>{@code errno} through {@link Linker.Option#captureCallState}, turned into text by {@code strerror}.
 * </ul>
 *
 * <p>The device is not persistent: it disappears when this object is closed or the process exits, which is what lets
 * {@code bench/link.sh down} clean up by ending the process. It may be moved to another network namespace
 * ({@code ip link set NAME netns NS}) while open; the descriptor keeps working. Creating one needs
 * {@code CAP_NET_ADMIN}. The interface starts down, without address: configuring it is the caller's business.
 *
 * <p>Threading: as {@link PacketDevice} says. Each direction has its own native buffer and errno slot, so one thread
 * receiving and another sending never share memory.
 */
public final class Tun implements PacketDevice {
    private static final String CLONE_DEVICE = "/dev/net/tun";
    private static final int O_RDWR = 0x2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_SIZE = 40;
    private static final long IFREQ_FLAGS_OFFSET = 16;
    private static final short POLLIN = 0x1;
    private static final long POLLFD_EVENTS_OFFSET = 4;
    private static final long POLLFD_REVENTS_OFFSET = 6;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2),
            CAPTURE_ERRNO);
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2),
            CAPTURE_ERRNO);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle PPOLL = downcall("ppoll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private final int fd;
    private final String name;
    private final Arena arena;
    // Receiving thread only.
    private final MemorySegment readBuffer;
    private final MemorySegment readState;
    private final MemorySegment pollFd;
    private final MemorySegment timeout;
    // Sending thread only.
    private final MemorySegment writeBuffer;
    private final MemorySegment writeState;
    private boolean closed;

    private Tun(int fd, String name, Arena arena) {
        this.fd = fd;
        this.name = name;
        this.arena = arena;
        this.readBuffer = arena.allocate(MAX_PACKET);
        this.readState = arena.allocate(CALL_STATE);
        this.pollFd = arena.allocate(8, 4);
        this.timeout = arena.allocate(16, 8);
        this.writeBuffer = arena.allocate(MAX_PACKET);
        this.writeState = arena.allocate(CALL_STATE);
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, POLLFD_EVENTS_OFFSET, POLLIN);
    }

    /**
     * Creates the TUN interface {@code name} (at most 15 bytes; {@code "ferry%d"} lets the kernel number it) in the
     * calling process's network namespace.
     *
     * @throws IOException naming the step and the kernel's reason, e.g. without {@code CAP_NET_ADMIN}
     */
    public static Tun open(String name) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (name.isEmpty() || nameBytes.length >= IFNAMSIZ || name.contains("/") || name.contains(" ")) {
            throw new IllegalArgumentException("TUN name must be 1.." + (IFNAMSIZ - 1)
                    + " ASCII characters without '/' or spaces, got \"" + name + "\"");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(CLONE_DEVICE), O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("open " + CLONE_DEVICE, errno(state));
            }
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
            ifreq.setString(0, name, StandardCharsets.US_ASCII);
            ifreq.set(JAVA_SHORT, IFREQ_FLAGS_OFFSET, (short) (IFF_TUN | IFF_NO_PI));
            int rc = (int) IOCTL.invokeExact(state, fd, TUNSETIFF, ifreq);
            if (rc < 0) {
                int errno = errno(state);
                int ignored = (int) CLOSE.invokeExact(fd);
                throw failure("ioctl(TUNSETIFF, " + name + ")", errno);
            }
            return new Tun(fd, ifreq.getString(0, StandardCharsets.US_ASCII), arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int receive(byte[] buf, long timeoutNanos) throws IOException {
        int n = readNow(buf);
        if (n >= 0 || timeoutNanos <= 0) {
            return Math.max(n, 0);
        }
        timeout.set(JAVA_LONG, 0, timeoutNanos / NANOS_PER_SECOND);
        timeout.set(JAVA_LONG, 8, timeoutNanos % NANOS_PER_SECOND);
        pollFd.set(JAVA_SHORT, POLLFD_REVENTS_OFFSET, (short) 0);
        int ready;
        try {
            ready = (int) PPOLL.invokeExact(readState, pollFd, 1L, timeout, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ready < 0) {
            int errno = errno(readState);
            if (errno == EINTR) {
                return 0;
            }
            throw failure("ppoll " + name, errno);
        }
        // Readable, or an error condition (POLLERR once the interface is gone): read() tells which.
        return ready == 0 ? 0 : Math.max(readNow(buf), 0);
    }

    /** One non-blocking read: the packet's length, or -1 when none is waiting. */
    private int readNow(byte[] buf) throws IOException {
        long n;
        try {
            n = (long) READ.invokeExact(readState, fd, readBuffer, (long) Math.min(buf.length, MAX_PACKET));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            int errno = errno(readState);
            if (errno == EAGAIN || errno == EINTR) {
                return -1;
            }
            throw failure("read " + name, errno);
        }
        MemorySegment.copy(readBuffer, JAVA_BYTE, 0, buf, 0, (int) n);
        return (int) n;
    }

    @Override
    public void send(byte[] packet, int off, int len) throws IOException {
        if (len > MAX_PACKET) {
            throw new IOException("write " + name + ": packet of " + len + " bytes exceeds " + MAX_PACKET);
        }
        MemorySegment.copy(packet, off, writeBuffer, JAVA_BYTE, 0, len);
        long n;
        try {
            n = (long) WRITE.invokeExact(writeState, fd, writeBuffer, (long) len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw failure("write " + name, errno(writeState));
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Closes the descriptor, which removes the interface (from whichever namespace it is in). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "Tun[" + name + ", fd " + fd + "]";
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static IOException failure(String what, int errno) {
        String reason;
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            reason = text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            reason = "errno " + errno;
        }
        String hint = switch (errno) {
            case 1, 13 -> " (creating a TUN device needs root or CAP_NET_ADMIN)";
            case 16 -> " (is another emulator using that name?)";
            default -> "";
        };
        return new IOException(what + ": " + reason + hint);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    private static MethodHandle downcall(String function, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address = LINKER.defaultLookup().find(function)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + function));
        return LINKER.downcallHandle(address, descriptor, options);
    }
}
