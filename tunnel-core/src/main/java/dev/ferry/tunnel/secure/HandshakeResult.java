package dev.ferry.tunnel.secure;

import dev.ferry.crypto.CipherKind;

/**
 * What a completed handshake agreed: the peer's protocol version and capability bits, the record cipher, and the
 * per-stream receive windows each side grants (the local one limits what the peer may send us).
 */
public record HandshakeResult(int peerVersion, int peerCapabilities, CipherKind cipher,
                              int localStreamWindow, int peerStreamWindow) {
}
