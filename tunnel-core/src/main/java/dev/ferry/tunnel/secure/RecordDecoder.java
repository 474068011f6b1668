package dev.ferry.tunnel.secure;

import dev.ferry.crypto.Aead;
import dev.ferry.tunnel.wire.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import javax.crypto.AEADBadTagException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Opens sealed records and emits their plaintext as ByteBufs (the frame decoder after it re-assembles frames that
 * span records). A record that fails authentication closes the tunnel: after the handshake that means tampering or
 * a broken peer, never an ordinary event. Runs on the channel's event loop only.
 */
final class RecordDecoder extends ByteToMessageDecoder {
    private final Aead aead;
    private final ByteBuffer lengthField = ByteBuffer.allocate(RecordFormat.LENGTH_FIELD);
    private long counter;
    private int payloadLength = -1;
    private boolean failed;

    RecordDecoder(Aead aead) {
        this.aead = aead;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int tag = aead.tagLength();
        while (true) {
            if (payloadLength < 0) {
                if (in.readableBytes() < RecordFormat.LENGTH_FIELD + tag) {
                    return;
                }
                lengthField.clear();
                open(in.nioBuffer(in.readerIndex(), RecordFormat.LENGTH_FIELD + tag), lengthField);
                in.skipBytes(RecordFormat.LENGTH_FIELD + tag);
                int n = lengthField.getShort(0) & 0xFFFF;
                if (n == 0 || n > RecordFormat.MAX_PAYLOAD) {
                    throw fail("record length " + n + " out of range");
                }
                payloadLength = n;
            }
            if (in.readableBytes() < payloadLength + tag) {
                return;
            }
            ByteBuf plain = ctx.alloc().heapBuffer(payloadLength);
            try {
                open(in.nioBuffer(in.readerIndex(), payloadLength + tag), plain.nioBuffer(0, payloadLength));
                plain.writerIndex(payloadLength);
            } catch (RuntimeException e) {
                plain.release();
                throw e;
            }
            in.skipBytes(payloadLength + tag);
            payloadLength = -1;
            out.add(plain);
        }
    }

    private void open(ByteBuffer src, ByteBuffer dst) {
        try {
            aead.open(counter++, src, dst);
        } catch (AEADBadTagException e) {
            throw fail("record failed authentication");
        }
    }

    private ProtocolException fail(String why) {
        failed = true;
        return new ProtocolException(why);
    }
}
