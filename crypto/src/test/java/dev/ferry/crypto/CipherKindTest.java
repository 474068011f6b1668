package dev.ferry.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CipherKindTest {

    @Test
    void sizesAndCodesArePinned() {
        // These are protocol constants: a change here is a wire change.
        assertEquals("aes-256-gcm", CipherKind.AES_256_GCM.cliName());
        assertEquals(32, CipherKind.AES_256_GCM.keyLength());
        assertEquals(1, CipherKind.AES_256_GCM.wireCode());
        assertEquals("chacha20-poly1305", CipherKind.CHACHA20_POLY1305.cliName());
        assertEquals(32, CipherKind.CHACHA20_POLY1305.keyLength());
        assertEquals(2, CipherKind.CHACHA20_POLY1305.wireCode());
        assertEquals("aes-128-gcm", CipherKind.AES_128_GCM.cliName());
        assertEquals(16, CipherKind.AES_128_GCM.keyLength());
        assertEquals(3, CipherKind.AES_128_GCM.wireCode());
        assertEquals("none", CipherKind.NONE.cliName());
        assertEquals(0, CipherKind.NONE.keyLength());
        assertEquals(0, CipherKind.NONE.wireCode());
        assertEquals(0, CipherKind.NONE.tagLength());
    }

    @ParameterizedTest
    @EnumSource(CipherKind.class)
    void lookupsRoundTrip(CipherKind kind) {
        assertSame(kind, CipherKind.fromWireCode(kind.wireCode()));
        assertSame(kind, CipherKind.fromName(kind.cliName()));
        assertSame(kind, CipherKind.fromName(kind.cliName().toUpperCase()));
        assertEquals(12, kind.nonceLength());
        assertEquals(kind == CipherKind.NONE ? 0 : 16, kind.tagLength());
        assertEquals(kind.tagLength(), kind.newAead(new byte[kind.keyLength()]).tagLength());
        assertSame(kind, kind.newAead(new byte[kind.keyLength()]).kind());
    }

    @Test
    void wireCodesAreDistinct() {
        Set<Integer> codes = new HashSet<>();
        for (CipherKind kind : CipherKind.values()) {
            assertEquals(true, codes.add(kind.wireCode()), "duplicate wire code " + kind.wireCode());
        }
    }

    @Test
    void unknownWireCodeIsNull() {
        assertNull(CipherKind.fromWireCode(4));
        assertNull(CipherKind.fromWireCode(-1));
        assertNull(CipherKind.fromWireCode(255));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CipherKind.fromName("rc4-md5"));
        assertEquals("unknown cipher 'rc4-md5' (known: aes-256-gcm, chacha20-poly1305, aes-128-gcm, none)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CipherKind.fromName(null));
        assertThrows(IllegalArgumentException.class, () -> CipherKind.fromName(""));
    }

    @ParameterizedTest
    @EnumSource(CipherKind.class)
    void wrongKeyLengthIsRefused(CipherKind kind) {
        assertThrows(IllegalArgumentException.class, () -> kind.newAead(new byte[kind.keyLength() + 1]));
        assertThrows(IllegalArgumentException.class, () -> kind.newAead(null));
        if (kind.keyLength() > 0) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> kind.newAead(new byte[kind.keyLength() - 1]));
            assertEquals(kind.cliName() + " needs a " + kind.keyLength() + "-byte key, got "
                    + (kind.keyLength() - 1) + " bytes", e.getMessage());
        }
    }
}
