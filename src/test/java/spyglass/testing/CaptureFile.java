package spyglass.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A capture file read back with an independent JSON parser: every line must parse. */
public final class CaptureFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String text;
    private final List<JsonNode> records;

    private CaptureFile(final String text, final List<JsonNode> records) {
        this.text = text;
        this.records = records;
    }

    public static CaptureFile read(final Path file) {
        try {
            final String text = Files.readString(file, StandardCharsets.UTF_8);
            final List<JsonNode> records = new ArrayList<>();
            for (final String line : text.split("\n", -1)) {
                if (!line.isEmpty()) {
                    records.add(JSON.readTree(line));
                }
            }
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new AssertionError("capture file does not end with a newline");
            }
            return new CaptureFile(text, records);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The raw text, for leak checks: what a user would upload. */
    public String text() {
        return text;
    }

    public List<JsonNode> records() {
        return records;
    }

    public List<JsonNode> ofType(final String type) {
        final List<JsonNode> out = new ArrayList<>();
        for (final JsonNode r : records) {
            if (type.equals(r.path("type").asText())) {
                out.add(r);
            }
        }
        return out;
    }

    /** {@code query} records of one command name ({@code query}, {@code init_db}, ...). */
    public List<JsonNode> queries(final String cmd) {
        final List<JsonNode> out = new ArrayList<>();
        for (final JsonNode r : ofType("query")) {
            if (cmd.equals(r.path("cmd").asText())) {
                out.add(r);
            }
        }
        return out;
    }

    public JsonNode only(final String type) {
        final List<JsonNode> all = ofType(type);
        if (all.size() != 1) {
            throw new AssertionError("expected one " + type + " record, found " + all.size());
        }
        return all.get(0);
    }

    /** Microseconds since the epoch of an RFC 3339 {@code ts} field. */
    public static long micros(final JsonNode record) {
        final java.time.Instant t = java.time.Instant.parse(record.path("ts").asText());
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}
