package dev.ferry.bench.link;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link PacketDevice} in simulated time, for driving a {@link LinkForwarder} one {@code pumpOnce} at a time: packets
 * "arrive" at scripted instants, and waiting in {@link #receive} moves the shared {@link NanoClock} forward instead of
 * sleeping. Single-threaded.
 */
final class ScriptedDevice implements PacketDevice {
    private final String name;
    private final NanoClock clock;
    private final ArrayDeque<Packet> arrivals = new ArrayDeque<>();
    final List<Packet> sent = new ArrayList<>();
    final List<Long> waits = new ArrayList<>();
    IOException failReceive;
    IOException failSend;

    ScriptedDevice(String name, NanoClock clock) {
        this.name = name;
        this.clock = clock;
    }

    /** Schedules a packet to arrive at {@code atNanos}; arrivals must be added in time order. */
    ScriptedDevice arrive(long atNanos, byte[] bytes) {
        arrivals.addLast(new Packet(atNanos, bytes));
        return this;
    }

    boolean idle() {
        return arrivals.isEmpty();
    }

    @Override
    public int receive(byte[] buf, long timeoutNanos) throws IOException {
        if (failReceive != null) {
            throw failReceive;
        }
        waits.add(timeoutNanos);
        Packet head = arrivals.peekFirst();
        long until = clock.now + timeoutNanos;
        if (head == null || head.atNanos > until) {
            clock.now = until;
            return 0;
        }
        arrivals.removeFirst();
        clock.now = Math.max(clock.now, head.atNanos);
        int n = Math.min(buf.length, head.bytes.length);
        System.arraycopy(head.bytes, 0, buf, 0, n);
        return n;
    }

    @Override
    public void send(byte[] packet, int off, int len) throws IOException {
        if (failSend != null) {
            throw failSend;
        }
        sent.add(new Packet(clock.now, Arrays.copyOfRange(packet, off, off + len)));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
    }

    record Packet(long atNanos, byte[] bytes) {
    }

    /** Simulated nanoseconds, shared by the devices and the forwarder under test. */
    static final class NanoClock {
        long now;

        long get() {
            return now;
        }
    }
}
