package spyglass.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A read that finds no MySQL on the given port says which port the input's server used. */
class ReadHintsTest {
    private static final String FIXTURE = "src/test/resources/captures/sysbench-rw/capture.pcap";

    private static String stderrOf(final String... args) {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theWrongPortGetsTheLikelyRightOne() {
        final String err = stderrOf("read", "-o", "/dev/null", Path.of(FIXTURE).toString());
        assertTrue(err.lines().anyMatch(l -> l.equals("spyglass: no MySQL traffic on port 3306; the input's TCP traffic "
            + "looks served from port 43357: try -p 43357")), err);
    }

    @Test
    void theRightPortGetsNoHint() {
        final String err = stderrOf("read", "-o", "/dev/null", "-p", "43357", Path.of(FIXTURE).toString());
        assertFalse(err.contains("try -p"), err);
        assertTrue(err.lines().anyMatch(l -> l.startsWith("spyglass: 813 packets, 1 connection, 400 queries")), err);
    }
}
