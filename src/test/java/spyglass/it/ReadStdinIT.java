package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.testing.CaptureFile;

/**
 * {@code tcpdump -w - | spyglass read -}: the stream path, through the real launcher and a real
 * pipe, gives the same events as reading the file.
 */
class ReadStdinIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final Path PCAP = ROOT.resolve("src/test/resources/captures/sysbench-rw/capture.pcap");

    @TempDir
    Path tmp;

    private CaptureFile run(final String input, final Path stdin, final String name) throws Exception {
        final Path out = tmp.resolve(name);
        final int port = spyglass.cli.FixturePortsAccess.serverPort(PCAP);
        final ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("scripts/spyglass").toString(), "read", "-q",
            "-p", Integer.toString(port), "-o", out.toString(), input);
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()) : ProcessBuilder.Redirect.from(stdin.toFile()));
        pb.redirectError(tmp.resolve(name + ".err").toFile());
        final Process p = pb.start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve(name + ".err"), StandardCharsets.UTF_8));
        return CaptureFile.read(out);
    }

    private static List<String> queries(final CaptureFile capture) {
        final List<String> out = new ArrayList<>();
        for (final JsonNode q : capture.ofType("query")) {
            out.add(q.toString());
        }
        return out;
    }

    @Test
    void standardInputGivesTheSameEventsAsTheFile() throws Exception {
        final CaptureFile fromFile = run(PCAP.toString(), null, "file.jsonl");
        final CaptureFile fromStdin = run("-", PCAP, "stdin.jsonl");
        assertEquals(queries(fromFile), queries(fromStdin));
        assertTrue(queries(fromFile).size() > 300);
        assertEquals("stdin", fromStdin.only("capture_start").path("source").asText());
    }
}
