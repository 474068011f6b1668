package dev.ferry.bench.link;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link PacketDevice} made of two queues, for running a {@link LinkEmulator} on real threads without a TUN. */
final class QueueDevice implements PacketDevice {
    private final String name;
    /** What the "kernel" hands the emulator. */
    final BlockingQueue<byte[]> toEmulator = new LinkedBlockingQueue<>();
    /** What the emulator wrote to this device. */
    final BlockingQueue<byte[]> fromEmulator = new LinkedBlockingQueue<>();
    volatile IOException failReceive;

    QueueDevice(String name) {
        this.name = name;
    }

    @Override
    public int receive(byte[] buf, long timeoutNanos) throws IOException {
        if (failReceive != null) {
            throw failReceive;
        }
        byte[] packet;
        try {
            packet = toEmulator.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        if (packet == null) {
            return 0;
        }
        System.arraycopy(packet, 0, buf, 0, packet.length);
        return packet.length;
    }

    @Override
    public void send(byte[] packet, int off, int len) {
        fromEmulator.add(Arrays.copyOfRange(packet, off, off + len));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
    }
}
