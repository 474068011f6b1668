package dev.ferry.tunnel.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.SplittableRandom;

/**
 * Valid frames drawn from a seeded random source, with buffers from the given allocator. The same seed gives equal
 * frames, so a test builds one list to send and one to compare against.
 */
final class RandomFrames {

    private final SplittableRandom random;
    private final ByteBufAllocator alloc;

    RandomFrames(SplittableRandom random, ByteBufAllocator alloc) {
        this.random = random;
        this.alloc = alloc;
    }

    SplittableRandom random() {
        return random;
    }

    Frame next() {
        FrameType[] types = FrameType.values();
        return switch (types[random.nextInt(types.length)]) {
            case OPEN -> {
                Destination destination = destination();
                int max = WireFormat.maxOpenFirstBytes(destination);
                int length = random.nextBoolean() ? 0 : random.nextInt(smallOrLarge(max) + 1);
                yield new Frame.Open(streamId(), destination, payload(length), random.nextBoolean());
            }
            case OPEN_RESULT -> new Frame.OpenResult(streamId(), pick(OpenStatus.values()));
            case DATA -> new Frame.Data(streamId(), payload(1 + random.nextInt(smallOrLarge(WireFormat.MAX_PAYLOAD))));
            case FIN -> new Frame.Fin(streamId());
            case RESET -> new Frame.Reset(streamId(), pick(ResetReason.values()));
            case WINDOW_UPDATE -> new Frame.WindowUpdate(streamId(), 1 + random.nextInt(Integer.MAX_VALUE));
            case PING -> new Frame.Ping(random.nextLong());
            case PONG -> new Frame.Pong(random.nextLong());
            case DATAGRAM -> {
                Destination address = destination();
                int max = WireFormat.maxDatagramPayload(address);
                int length = random.nextBoolean() ? 0 : random.nextInt(smallOrLarge(max) + 1);
                yield new Frame.Datagram(streamId(), address, payload(length));
            }
            case CONTROL -> new Frame.Control(random.nextBoolean()
                    ? new ControlMessage.LoadReport(random.nextInt(Integer.MAX_VALUE), random.nextInt(65536),
                            random.nextBoolean())
                    : new ControlMessage.GoAway(random.nextInt()));
        };
    }

    /** Mostly short payloads, sometimes up to the limit. */
    private int smallOrLarge(int max) {
        return random.nextInt(4) == 0 ? max : Math.min(max, 64);
    }

    private int streamId() {
        int id;
        do {
            id = random.nextInt();
        } while (id == 0);
        return id;
    }

    private Destination destination() {
        int port = random.nextInt(65536);
        return switch (random.nextInt(3)) {
            case 0 -> new Destination(Destination.Kind.IPV4, null, randomBytes(4), port);
            case 1 -> new Destination(Destination.Kind.IPV6, null, randomBytes(16), port);
            default -> {
                char[] name = new char[1 + random.nextInt(Destination.MAX_DOMAIN_LENGTH)];
                for (int i = 0; i < name.length; i++) {
                    name[i] = (char) (0x21 + random.nextInt(0x7F - 0x21)); // any printable ASCII but space
                }
                yield Destination.domain(new String(name), port);
            }
        };
    }

    private ByteBuf payload(int length) {
        return length == 0 ? Unpooled.EMPTY_BUFFER : alloc.buffer(length).writeBytes(randomBytes(length));
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }
}
