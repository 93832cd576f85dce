package spyglass.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import spyglass.testing.CaptureFile;

/** {@code scripts/spyglass read} run as a user runs it, on a capture the test recorded. */
final class SpyglassRead {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    private SpyglassRead() {
    }

    /** Reads {@code pcap} (MySQL on {@code port}) into {@code out}; fails unless it exits 0. */
    static CaptureFile read(final Path pcap, final int port, final Path out) throws Exception {
        final ProcessResult result = Tools.run(List.of(ROOT.resolve("scripts/spyglass").toString(), "read", "-p",
            Integer.toString(port), "-o", out.toString(), pcap.toString()), null, Duration.ofMinutes(3));
        assertEquals(0, result.exitCode(), result.stderr());
        return CaptureFile.read(out);
    }
}
