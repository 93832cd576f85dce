package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The corpus of real statements in {@code src/test/resources/redact/corpus} (format in its
 * README.md): each statement redacts and fingerprints exactly as written there, and no planted
 * literal survives in either output.
 */
class RedactionCorpusTest {

    /** One corpus entry: a statement and what spyglass must make of it. */
    record Entry(String file, String id, String sql, String redacted, String fingerprint, List<String> literals) {
    }

    /** Reads the corpus files; shared with {@link PtFingerprintAgreementIT}. */
    static final class Corpus {
        static final String DIR = "/redact/corpus";

        private Corpus() {
        }

        static Path dir() {
            final URL url = RedactionCorpusTest.class.getResource(DIR);
            if (url == null) {
                throw new IllegalStateException("corpus not on the test class path: " + DIR);
            }
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        static List<Entry> load() {
            final List<Entry> entries = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir())) {
                for (Path file : files.filter(p -> p.toString().endsWith(".corpus")).sorted().toList()) {
                    parse(file.getFileName().toString(), Files.readAllLines(file, StandardCharsets.UTF_8), entries);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return entries;
        }

        /** id -> reason, from known-failures.txt. */
        static Map<String, String> knownFailures() {
            final Map<String, String> known = new LinkedHashMap<>();
            try {
                for (String line : Files.readAllLines(dir().resolve("known-failures.txt"), StandardCharsets.UTF_8)) {
                    final String t = line.strip();
                    if (t.isEmpty() || t.startsWith("#")) {
                        continue;
                    }
                    final String[] parts = t.split("\\s+", 2);
                    known.put(parts[0], parts.length > 1 ? parts[1] : "");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return known;
        }

        private static void parse(String file, List<String> lines, List<Entry> into) {
            String id = null;
            String section = null;
            final Map<String, List<String>> sections = new LinkedHashMap<>();
            for (String line : lines) {
                if (line.startsWith("%% ")) {
                    final String name = line.substring(3).strip();
                    if (name.equals("redacted") || name.equals("fingerprint") || name.equals("literals")) {
                        if (id == null || sections.containsKey(name)) {
                            throw new IllegalStateException(file + ": misplaced section " + name + " in " + id);
                        }
                        section = name;
                        sections.put(section, new ArrayList<>());
                        continue;
                    }
                    if (id != null) {
                        into.add(entry(file, id, sections));
                    }
                    id = name;
                    section = "sql";
                    sections.clear();
                    sections.put(section, new ArrayList<>());
                    continue;
                }
                if (id != null) {
                    sections.get(section).add(line);
                }
            }
            if (id != null) {
                into.add(entry(file, id, sections));
            }
        }

        private static Entry entry(String file, String id, Map<String, List<String>> sections) {
            for (String required : new String[] {"sql", "redacted", "fingerprint"}) {
                if (!sections.containsKey(required) || sections.get(required).isEmpty()) {
                    throw new IllegalStateException(file + ": entry " + id + " lacks its " + required);
                }
            }
            return new Entry(file, id, String.join("\n", sections.get("sql")),
                String.join("\n", sections.get("redacted")), String.join("\n", sections.get("fingerprint")),
                List.copyOf(sections.getOrDefault("literals", List.of())));
        }
    }

    private final RedactorHarness h = new RedactorHarness();

    @Test
    void corpusIsWellFormed() {
        final List<Entry> entries = Corpus.load();
        final Set<String> ids = new HashSet<>();
        final Map<String, Integer> perFile = new LinkedHashMap<>();
        int literals = 0;
        for (Entry e : entries) {
            assertTrue(ids.add(e.id()), "duplicate id " + e.id());
            perFile.merge(e.file(), 1, Integer::sum);
            literals += e.literals().size();
            // the statement must not hold the separator pt-fingerprint reads statements by
            assertFalse(e.sql().contains(";\n"), e.id() + ": statement holds \";\\n\"");
        }
        assertEquals(Set.of("mariadb.corpus", "orm.corpus", "sysbench.corpus"), perFile.keySet());
        perFile.forEach((file, n) -> assertTrue(n >= 50, file + " has only " + n + " entries"));
        assertTrue(entries.size() >= 300, "corpus has " + entries.size() + " entries");
        assertTrue(literals >= 400, "corpus plants " + literals + " checkable literals");
        for (String id : Corpus.knownFailures().keySet()) {
            assertTrue(ids.contains(id), "known-failures.txt names unknown entry " + id);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyEntryRedactsAndFingerprintsAsExpected() {
        final Map<String, String> known = Corpus.knownFailures();
        return Corpus.load().stream().map(e -> DynamicTest.dynamicTest(e.file() + " " + e.id(), () -> {
            h.run(e.sql());
            assertEquals(e.redacted(), h.redacted, e.id() + ": redacted text");
            assertFalse(h.redactor.truncated(), e.id() + ": truncated");
            assertFalse(h.redactor.unclosed(), e.id() + ": unclosed");
            assertEquals(FingerprintHash.hash(h.fingerprintBytes, 0, h.fingerprintBytes.length), h.digest(),
                e.id() + ": digest is the hash of the fingerprint");
            final String reason = known.get(e.id());
            if (reason == null) {
                assertEquals(e.fingerprint(), h.fingerprint, e.id() + ": fingerprint");
            } else {
                // A known failure that now passes must leave known-failures.txt.
                assertNotEquals(e.fingerprint(), h.fingerprint,
                    e.id() + " now fingerprints as expected: remove it from known-failures.txt (" + reason + ")");
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> noPlantedLiteralSurvives() {
        return Corpus.load().stream().filter(e -> !e.literals().isEmpty())
            .map(e -> DynamicTest.dynamicTest(e.file() + " " + e.id(), () -> {
                h.run(e.sql());
                for (String literal : e.literals()) {
                    if (!e.sql().contains(literal)) {
                        fail(e.id() + ": planted literal [" + literal + "] is not in the statement");
                    }
                    assertFalse(h.redacted.contains(literal), e.id() + ": [" + literal + "] in " + h.redacted);
                    assertFalse(e.redacted().contains(literal), e.id() + ": [" + literal + "] in the expected text");
                    final String lower = literal.toLowerCase(Locale.ROOT);
                    assertFalse(h.fingerprint.contains(literal) || h.fingerprint.contains(lower),
                        e.id() + ": [" + literal + "] in " + h.fingerprint);
                    assertFalse(e.fingerprint().contains(lower), e.id() + ": [" + literal + "] in the expected fingerprint");
                }
            }));
    }
}
