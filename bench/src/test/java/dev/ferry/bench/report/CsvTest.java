package dev.ferry.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvTest {
    @TempDir
    Path dir;

    @Test
    void readsHeaderAndRecordsByName() throws IOException {
        Path f = write("a,b,c\n1,2,3\n\n4,,6\n");
        List<Map<String, String>> rows = Csv.read(f);
        assertEquals(2, rows.size());
        assertEquals(Map.of("a", "1", "b", "2", "c", "3"), rows.get(0));
        assertEquals("", rows.get(1).get("b"));
        assertEquals(List.of("a", "b", "c"), List.copyOf(rows.get(0).keySet()));
    }

    @Test
    void quotedFieldsMayHoldCommasAndQuotes() throws IOException {
        Path f = write("link,note\r\n\"--burst 1%,25% --rate 20mbit\",\"say \"\"hi\"\"\"\r\n\"\",x\r\n");
        List<Map<String, String>> rows = Csv.read(f);
        assertEquals("--burst 1%,25% --rate 20mbit", rows.get(0).get("link"));
        assertEquals("say \"hi\"", rows.get(0).get("note"));
        assertEquals("", rows.get(1).get("link"));
        assertEquals("x", rows.get(1).get("note"));
    }

    @Test
    void shortRecordsArePaddedLongOnesRejected() throws IOException {
        assertEquals("", Csv.read(write("a,b,c\n1\n")).get(0).get("c"));
        IOException e = assertThrows(IOException.class, () -> Csv.read(write("a,b\n1,2,3\n")));
        assertTrue(e.getMessage().contains(":2:"), e.getMessage());
    }

    @Test
    void damagedQuotingIsAnError() {
        assertThrows(IOException.class, () -> Csv.read(write("a\n\"open\n")));
        assertThrows(IOException.class, () -> Csv.read(write("a,b\n\"x\"y,z\n")));
        assertThrows(IOException.class, () -> Csv.read(write("")));
    }

    @Test
    void parseLineKeepsEmptyTrailingField() {
        assertEquals(List.of("1", ""), Csv.parseLine("1,"));
        assertEquals(List.of(""), Csv.parseLine(""));
    }

    private Path write(String content) throws IOException {
        Path f = Files.createTempFile(dir, "results", ".csv");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }
}
