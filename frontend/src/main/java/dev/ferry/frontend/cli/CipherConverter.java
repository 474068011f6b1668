package dev.ferry.frontend.cli;

import dev.ferry.crypto.CipherKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --cipher NAME} through {@link CipherKind#fromName}, whose message lists the known names. */
public final class CipherConverter implements ITypeConverter<CipherKind> {
    @Override
    public CipherKind convert(String value) {
        try {
            return CipherKind.fromName(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
