package spyglass.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import spyglass.redact.RedactionCorpusTest.Corpus;
import spyglass.redact.RedactionCorpusTest.Entry;

/**
 * Does spyglass group the corpus's statements the way Percona's {@code pt-fingerprint} does?
 *
 * <p>pt-fingerprint runs once over the whole corpus. It reads statements separated by
 * {@code ";\n"} and prints one line per statement, except that it silently drops a statement that
 * does not start with a word character (after it removes lines starting with {@code #}); so a
 * marker statement follows every corpus statement and tells which output line belongs to which
 * statement, and the dropped ones are differences of kind {@code skipped}.
 *
 * <p>A difference is a group one tool makes that the other does not: {@code split} (one
 * pt-fingerprint fingerprint, several spyglass digests; keyed by the pt-fingerprint fingerprint) or
 * {@code merge} (one spyglass digest, several pt-fingerprint fingerprints; keyed by the spyglass
 * fingerprint). Together they cover every pair of statements the two tools treat differently.
 * {@code src/test/resources/redact/pt-fingerprint-differences.txt} lists the known ones; the test
 * fails on any other and on any listed one that no longer occurs.
 */
class PtFingerprintAgreementIT {
    static final Path PT_FINGERPRINT = Path.of("/usr/bin/pt-fingerprint");
    private static final String MARKER = "SELECT spyglass_corpus_marker";
    private static final String MARKER_FINGERPRINT = "select spyglass_corpus_marker";

    @TempDir
    Path tmp;

    @Test
    void groupsAgreeWithPtFingerprintExceptForListedDifferences() throws Exception {
        if (!Files.isExecutable(PT_FINGERPRINT)) {
            fail(PT_FINGERPRINT + " is missing: run scripts/test, which installs the Debian package percona-toolkit"
                + " (or apt-get install percona-toolkit)");
        }
        final List<Entry> entries = Corpus.load();

        // ---- pt-fingerprint, once over everything
        final StringBuilder input = new StringBuilder();
        for (Entry e : entries) {
            assertTrue(!e.sql().contains(";\n"), e.id() + " holds pt-fingerprint's separator");
            input.append(e.sql()).append(";\n").append(MARKER).append(";\n");
        }
        final Path in = tmp.resolve("corpus.sql");
        Files.writeString(in, input, StandardCharsets.UTF_8);
        final Path out = tmp.resolve("pt-fingerprint.out");
        final Path err = tmp.resolve("pt-fingerprint.err");
        final long started = System.nanoTime();
        final Process ptProcess = new ProcessBuilder(PT_FINGERPRINT.toString(), in.toString())
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertTrue(ptProcess.waitFor(60, TimeUnit.SECONDS), "pt-fingerprint did not finish in 60 s");
        } finally {
            if (ptProcess.isAlive()) {
                ptProcess.destroyForcibly();
            }
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(0, ptProcess.exitValue(), "pt-fingerprint failed: " + Files.readString(err));
        final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        final String[] ptFingerprint = new String[entries.size()];
        int line = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (line < lines.size() && !lines.get(line).equals(MARKER_FINGERPRINT)) {
                ptFingerprint[i] = lines.get(line++);
            }
            assertTrue(line < lines.size() && lines.get(line).equals(MARKER_FINGERPRINT),
                "pt-fingerprint output out of step after " + entries.get(i).id());
            line++;
        }
        assertEquals(lines.size(), line, "pt-fingerprint printed more lines than statements");

        // ---- spyglass
        final RedactorHarness h = new RedactorHarness();
        final String[] fingerprint = new String[entries.size()];
        final long[] digest = new long[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            h.run(entries.get(i).sql());
            fingerprint[i] = h.fingerprint;
            digest[i] = h.digest();
        }

        // ---- the two groupings
        final Map<String, String> found = new TreeMap<>();   // "kind\tkey" -> printed detail
        final Map<String, Map<Long, Integer>> ptGroups = new LinkedHashMap<>();
        final Map<Long, Map<String, Integer>> sgGroups = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            if (ptFingerprint[i] == null) {
                found.put("skipped\t" + entries.get(i).id(), "  statement: " + entries.get(i).sql().replace("\n", "\\n")
                    + "\n  spyglass:  " + fingerprint[i] + "\n");
                continue;
            }
            ptGroups.computeIfAbsent(ptFingerprint[i], k -> new LinkedHashMap<>()).putIfAbsent(digest[i], i);
            sgGroups.computeIfAbsent(digest[i], k -> new LinkedHashMap<>()).putIfAbsent(ptFingerprint[i], i);
        }
        ptGroups.forEach((pt, split) -> {
            if (split.size() > 1) {
                final StringBuilder d = new StringBuilder("  pt-fingerprint: " + pt + "\n");
                split.values().forEach(i -> d.append("  spyglass:       ").append(fingerprint[i])
                    .append("   (").append(entries.get(i).id()).append(")\n"));
                found.put("split\t" + pt, d.toString());
            }
        });
        sgGroups.forEach((dg, merged) -> {
            if (merged.size() > 1) {
                final int first = merged.values().iterator().next();
                final StringBuilder d = new StringBuilder("  spyglass:       " + fingerprint[first] + "\n");
                merged.forEach((pt, i) -> d.append("  pt-fingerprint: ").append(pt)
                    .append("   (").append(entries.get(i).id()).append(")\n"));
                found.put("merge\t" + fingerprint[first], d.toString());
            }
        });

        // ---- against the list
        final Map<String, String> listed = listedDifferences();
        final StringBuilder report = new StringBuilder();
        report.append("pt-fingerprint: ").append(entries.size()).append(" statements in ").append(millis)
            .append(" ms (process wall time); ").append(ptGroups.size()).append(" pt-fingerprint groups, ")
            .append(sgGroups.size()).append(" spyglass groups, ").append(found.size()).append(" differences\n");
        final List<String> unexpected = new ArrayList<>();
        found.forEach((key, detail) -> {
            final String verdict = listed.get(key);
            report.append(verdict == null ? "NOT LISTED " : verdict + " ").append(key.replace('\t', ' ')).append('\n')
                .append(detail);
            if (verdict == null) {
                unexpected.add(key);
            }
        });
        final TreeSet<String> stale = new TreeSet<>(listed.keySet());
        stale.removeAll(found.keySet());
        stale.forEach(key -> report.append("LISTED BUT GONE ").append(key.replace('\t', ' ')).append('\n'));
        System.out.print(report);
        if (!unexpected.isEmpty() || !stale.isEmpty()) {
            fail(unexpected.size() + " difference(s) not in pt-fingerprint-differences.txt and " + stale.size()
                + " listed difference(s) that no longer occur:\n" + report);
        }
    }

    /**
     * "kind\tkey" -> verdict ({@code right}: spyglass groups better, {@code wrong}: a spyglass fault
     * still to fix). Lines: {@code kind<TAB>key<TAB>verdict<TAB>reason}.
     */
    static Map<String, String> listedDifferences() {
        final Path file = Corpus.dir().resolve("../pt-fingerprint-differences.txt").normalize();
        final Map<String, String> listed = new LinkedHashMap<>();
        try {
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (l.isBlank() || l.startsWith("#")) {
                    continue;
                }
                final String[] f = l.split("\t", 4);
                if (f.length != 4 || !(f[2].equals("right") || f[2].equals("wrong")) || f[3].isBlank()
                    || !(f[0].equals("split") || f[0].equals("merge") || f[0].equals("skipped"))) {
                    throw new IllegalStateException(file + ": malformed line: " + l);
                }
                if (listed.put(f[0] + "\t" + f[1], f[2]) != null) {
                    throw new IllegalStateException(file + ": listed twice: " + l);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return listed;
    }
}
