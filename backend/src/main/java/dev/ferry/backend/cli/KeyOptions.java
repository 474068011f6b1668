package dev.ferry.backend.cli;

import dev.ferry.crypto.PresharedKey;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where the pre-shared key comes from: {@code --key}, {@code --key-file} or the {@code FERRY_KEY} environment
 * variable, exactly one of them. Shared by {@code ferry backend} and {@code ferry frontend} as a picocli mixin.
 */
public final class KeyOptions {
    public static final String ENV = "FERRY_KEY";

    @Option(names = "--key", paramLabel = "SPEC",
            description = {"Pre-shared key: 'base64:...' (32 random bytes, see 'ferry genkey') or a passphrase "
                    + "(stretched with Argon2id).",
                    "Visible to other local users in 'ps': prefer --key-file or FERRY_KEY."})
    String key;

    @Option(names = "--key-file", paramLabel = "PATH",
            description = "Read the key SPEC from this file (surrounding whitespace is trimmed).")
    Path keyFile;

    /**
     * The chosen key, stretched or decoded.
     *
     * @param env the process environment (injected so tests can set {@code FERRY_KEY})
     * @throws IllegalArgumentException one line naming the source: none, two, unreadable or invalid
     */
    public PresharedKey resolve(Function<String, String> env) {
        String fromEnv = env.apply(ENV);
        if (fromEnv != null && fromEnv.isBlank()) {
            fromEnv = null;
        }
        List<String> given = new ArrayList<>();
        if (key != null) {
            given.add("--key");
        }
        if (keyFile != null) {
            given.add("--key-file");
        }
        if (fromEnv != null) {
            given.add(ENV);
        }
        if (given.isEmpty()) {
            throw new IllegalArgumentException("no key: give --key, --key-file or set " + ENV);
        }
        if (given.size() > 1) {
            throw new IllegalArgumentException("key given twice: " + String.join(" and ", given)
                    + " conflict; give exactly one");
        }
        String source = given.getFirst();
        // FERRY_KEY is used as given, like --key: a passphrase counts byte for byte. Only a file is trimmed (its
        // trailing newline is not meant as part of the key).
        String spec = key != null ? key : keyFile != null ? readKeyFile() : fromEnv;
        if (spec.isEmpty()) {
            throw new IllegalArgumentException(source + ": the key is empty");
        }
        try {
            return PresharedKey.fromSpec(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    private String readKeyFile() {
        try {
            String s = Files.readString(keyFile, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("--key-file: '" + keyFile + "' is empty");
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("--key-file: cannot read '" + keyFile + "' ("
                    + e.getClass().getSimpleName() + (e.getMessage() != null && !e.getMessage().equals(
                    keyFile.toString()) ? ": " + e.getMessage() : "") + ")");
        }
    }
}
