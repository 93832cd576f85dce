package spyglass.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import spyglass.pipeline.PipelineOptions;
import spyglass.testing.CaptureFile;

/** {@code --redact=plain|keyed}: parsed and checked, one key per run, and named in capture_start. */
class RedactOptionTest {
    private static final Path PCAP = Path.of("src/test/resources/captures/mariadb-cli/capture.pcap");

    @TempDir
    Path tmp;

    private record Run(int status, String err) {
    }

    private static Run run(final String... args) {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private Path read(final String name, final String... redact) {
        final Path out = tmp.resolve(name + ".jsonl");
        final List<String> args = new ArrayList<>(List.of("read", "-q", "-o", out.toString(),
            "-p", Integer.toString(FixturePorts.serverPort(PCAP))));
        args.addAll(List.of(redact));
        args.add(PCAP.toString());
        final Run run = run(args.toArray(String[]::new));
        assertEquals(0, run.status(), run.err());
        return out;
    }

    private static String firstLine(final Path file) throws Exception {
        return Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
    }

    private static List<String> digests(final CaptureFile file) {
        final List<String> out = new ArrayList<>();
        for (final JsonNode q : file.ofType("query")) {
            out.add(q.path("digest").asText());
        }
        return out;
    }

    @Test
    void plainIsTheDefaultAndCaptureStartSaysSo() throws Exception {
        final String line = firstLine(read("default"));
        assertTrue(line.startsWith("{\"type\":\"capture_start\",\"version\":"), line);
        assertTrue(line.matches("\\{\"type\":\"capture_start\",\"version\":\"[^\"]+\",\"host\":\"[^\"]*\",\"source\":\"file:[^\"]+\","
            + "\"filter\":\"tcp and \\(port \\d+\\)\",\"ts\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z\",\"redact\":\"plain\"}"), line);
        assertTrue(firstLine(read("explicit", "--redact=plain")).endsWith(",\"redact\":\"plain\"}"));
    }

    @Test
    void keyedIsNamedInCaptureStartAndLeavesFingerprintsAlone() throws Exception {
        final Path keyed = read("keyed", "--redact=keyed");
        final String line = firstLine(keyed);
        assertTrue(line.matches("\\{\"type\":\"capture_start\",\"version\":\"[^\"]+\",\"host\":\"[^\"]*\",\"source\":\"file:[^\"]+\","
            + "\"filter\":\"tcp and \\(port \\d+\\)\",\"ts\":\"[^\"]+\",\"redact\":\"keyed\"}"), line);
        assertEquals("keyed", CaptureFile.read(keyed).only("capture_start").path("redact").asText());
        // The same statements, grouped the same way: a fingerprint's literals stay ? in keyed mode.
        final CaptureFile plain = CaptureFile.read(read("plain", "--redact", "plain"));
        final List<String> plainDigests = digests(plain);
        assertFalse(plainDigests.isEmpty());
        assertEquals(plainDigests, digests(CaptureFile.read(keyed)));
    }

    @Test
    void aBadModeIsRefusedNamingTheFixAndNoFileIsMade() {
        final Path out = tmp.resolve("never.jsonl");
        final Run run = run("read", "-q", "-o", out.toString(), "--redact=hashed", PCAP.toString());
        assertEquals(2, run.status(), run.err());
        assertTrue(run.err().lines().anyMatch(l -> l.equals("spyglass: --redact takes plain or keyed, not 'hashed': "
            + "e.g. --redact=keyed to follow equal values, or leave it out for plain ?")), run.err());
        assertTrue(run.err().contains("Try 'spyglass read --help'"), run.err());
        assertFalse(Files.exists(out));
        // Capture refuses it the same way, before it opens anything (no root needed to see it).
        final Run capture = run("capture", "-i", "lo", "--redact=KEYED");
        assertEquals(2, capture.status(), capture.err());
        assertTrue(capture.err().lines().anyMatch(l -> l.startsWith("spyglass: --redact takes plain or keyed, not 'KEYED'")),
            capture.err());
    }

    @Test
    void keyedDrawsOneFreshKeyPerRun() {
        final ReadCommand first = new ReadCommand();
        new CommandLine(first).parseArgs("--redact=keyed", "x.pcap");
        final PipelineOptions a = first.analysis.toPipelineOptions(4);
        assertEquals("keyed", a.mysql.redactMode());
        assertNotNull(a.mysql.literalKey);
        final ReadCommand second = new ReadCommand();
        new CommandLine(second).parseArgs("--redact=keyed", "x.pcap");
        final PipelineOptions b = second.analysis.toPipelineOptions(4);
        assertFalse(a.mysql.literalKey.sameKey(b.mysql.literalKey), "two runs, two keys");

        final ReadCommand plain = new ReadCommand();
        new CommandLine(plain).parseArgs("x.pcap");
        final PipelineOptions p = plain.analysis.toPipelineOptions(4);
        assertEquals("plain", p.mysql.redactMode());
        assertNull(p.mysql.literalKey);
    }

    @Test
    void helpTeachesWhatKeyedMeans() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run("read", "--help"));
        } finally {
            System.setOut(saved);
        }
        final String help = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        assertTrue(help.contains("--redact=MODE How literal values are hidden: plain or keyed (default: plain)."), help);
        assertTrue(help.contains("Equal values get equal tokens within this capture"), help);
        assertTrue(help.contains("never written or logged"), help);
        assertTrue(help.contains("equal tokens do show that values are equal"), help);
    }
}
