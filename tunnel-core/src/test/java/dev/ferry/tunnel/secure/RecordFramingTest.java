package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;
import dev.ferry.tunnel.wire.Frame;
import dev.ferry.tunnel.wire.FrameDecoder;
import dev.ferry.tunnel.wire.FrameEncoder;
import dev.ferry.tunnel.wire.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records hold whole frames: a mix of full DATA frames and small control frames, sealed with cipher none so the
 * records can be read back, never has a frame cut by a record boundary.
 */
class RecordFramingTest {
    private static final long SEED = Long.getLong("ferry.test.seed", System.nanoTime());

    @Test
    void framesNeverStraddleRecords() {
        EmbeddedChannel ch = new EmbeddedChannel(new RecordEncoder(CipherKind.NONE.newAead(new byte[0])),
                new FrameEncoder());
        SplittableRandom r = new SplittableRandom(SEED);
        int frames = 0;
        for (int i = 0; i < 400; i++) {
            Frame f = switch (r.nextInt(3)) {
                case 0 -> new Frame.Data(1, Unpooled.wrappedBuffer(new byte[1 + r.nextInt(WireFormat.MAX_PAYLOAD)]));
                case 1 -> new Frame.Data(3, Unpooled.wrappedBuffer(new byte[WireFormat.MAX_PAYLOAD]));
                default -> new Frame.WindowUpdate(5, 1 + r.nextInt(1 << 20));
            };
            ch.write(f);
            frames++;
            if (r.nextInt(8) == 0) {
                ch.flush();
            }
        }
        ch.flush();
        CompositeByteBuf wire = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            wire.addComponent(true, b);
        }
        int decoded = 0;
        int records = 0;
        while (wire.isReadable()) {
            int length = wire.readUnsignedShort();
            assertTrue(length >= 1 && length <= RecordFormat.MAX_PAYLOAD, "record length " + length);
            ByteBuf record = wire.readSlice(length);
            records++;
            while (record.isReadable()) {
                Frame f = FrameDecoder.decodeOne(record);
                assertNotNull(f, "a frame cut by the end of record " + records + ", seed " + SEED);
                if (f instanceof Frame.Data d) {
                    d.payload().release();
                }
                decoded++;
            }
        }
        wire.release();
        assertEquals(frames, decoded, "seed " + SEED);
        assertTrue(records < frames, "small frames share records: " + records + " records for " + frames);
        ch.finishAndReleaseAll();
    }
}
