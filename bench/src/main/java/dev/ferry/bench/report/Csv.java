package dev.ferry.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the comma-separated files {@code bench/scenarios.sh} writes: a header line, then one record per line. A field
 * may be quoted with {@code "…"} (needed when it holds a comma); inside quotes {@code ""} is one quote. Quoted fields
 * do not span lines. Blank lines are skipped; a record with fewer fields than the header leaves the rest empty, one
 * with more is an error (the file is damaged or the header out of date).
 */
public final class Csv {
    private Csv() {
    }

    /** The records of {@code file}, each a map from column name to field, in the file's column order. */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(file + ": empty, no header line");
        }
        List<String> header = parseLine(stripBom(lines.get(0)));
        List<Map<String, String>> records = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> fields;
            try {
                fields = parseLine(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
            if (fields.size() > header.size()) {
                throw new IOException(file + ":" + (i + 1) + ": " + fields.size() + " fields, the header has "
                        + header.size());
            }
            Map<String, String> record = new LinkedHashMap<>();
            for (int c = 0; c < header.size(); c++) {
                record.put(header.get(c), c < fields.size() ? fields.get(c) : "");
            }
            records.add(Collections.unmodifiableMap(record));
        }
        return records;
    }

    /** The fields of one line. */
    static List<String> parseLine(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStart = true;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                    if (i + 1 < line.length() && line.charAt(i + 1) != ',') {
                        throw new IllegalArgumentException("text after a closing quote at column " + (i + 2));
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"' && fieldStart) {
                quoted = true;
                fieldStart = false;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                fieldStart = true;
            } else if (c != '\r' || i != line.length() - 1) {
                field.append(c);
                fieldStart = false;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote");
        }
        fields.add(field.toString());
        return fields;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
