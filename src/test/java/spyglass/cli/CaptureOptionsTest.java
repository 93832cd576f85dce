package spyglass.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code spyglass capture} refuses what it cannot do before it opens anything, naming the fix. */
class CaptureOptionsTest {
    private record Run(int status, String err) {
    }

    private static Run capture(final String... args) {
        final String[] all = new String[args.length + 1];
        all[0] = "capture";
        System.arraycopy(args, 0, all, 1, args.length);
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.run(all), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private static void refused(final String expected, final String... args) {
        final Run run = capture(args);
        assertEquals(2, run.status(), run.err());
        // A line of its own (the fuzzing agent in the test JVM may log class instrumentation first).
        assertTrue(run.err().lines().anyMatch(l -> l.startsWith("spyglass: " + expected)), run.err());
        assertTrue(run.err().contains("Try 'spyglass capture --help'"), run.err());
    }

    @Test
    void aTcpdumpFilterExpressionIsAnsweredWithTheOptions() {
        refused("spyglass capture takes no filter expression ('tcp port 3306'): it builds its own from the options; "
            + "give server ports with -p 3306,3307 and a server with --server ADDRESS", "-i", "lo", "tcp", "port", "3306");
    }

    @Test
    void cpusMustBeOnline() {
        refused("--cpus 4095 is not an online CPU of this host (online: ", "--cpus", "0,4095");
    }

    @Test
    void theKernelsCpuListIsRead() {
        assertEquals(java.util.BitSet.valueOf(new long[] {0b1_0100_1111L}), CpuPinning.parse("0-3,6,8"));
        assertEquals(null, CpuPinning.parse("0-"));
        assertEquals(null, CpuPinning.parse("3-1"));
        assertEquals(null, CpuPinning.parse(null));
    }

    @Test
    void ringsAreCheckedWithTheirOptionsNamed() {
        refused("--ring-block-size / --ring-blocks / --ring-block-timeout: block count 0 must be at least 1",
            "--ring-blocks", "0");
        refused("--ring-block-size / --ring-blocks / --ring-block-timeout: block timeout 0 ms must be between 1 and",
            "--ring-block-timeout", "0");
        refused("the worker ring size must be a power of two of at least 4194304 bytes (4 MiB), not 1048576",
            "--worker-ring-size", "1M");
        refused("--max-size '12Q' is not a size: give bytes or a number with K, M or G, e.g. 8M", "--max-size", "12Q");
    }

    @Test
    void limitsAndIntervalsAreChecked() {
        refused("--duration and --max-queries cannot be negative; 0 means no limit", "--duration", "-1");
        refused("--progress-interval must be at least 1 second (the default is 10)", "--progress-interval", "0");
    }

    @Test
    void aSchemaOptionWithoutSchemaIsRefusedNotIgnored() {
        refused("--redact-ddl is an option of the schema collection: add --schema to collect it during the capture",
            "-i", "lo", "--redact-ddl");
        refused("--all-tables is an option of the schema collection: add --schema", "-i", "lo", "--all-tables", "shop");
        refused("--schema-user is an option of the schema collection", "-i", "lo", "--schema-user", "app");
    }

    @Test
    void aPasswordOnTheCommandLineIsRefusedAndNeverRepeated() {
        for (final String[] args : new String[][] {{"--password", "s3cret-pw"}, {"--schema-password=s3cret-pw"},
            {"--schema", "--password"}, {"-ps3cret-pw"}}) {
            final Run run = capture(args);
            assertEquals(2, run.status(), run.err());
            assertTrue(run.err().contains("spyglass takes no password on the command line")
                || run.err().contains("spyglass takes none on the command line"), run.err());
            assertTrue(!run.err().contains("s3cret-pw"), run.err());
        }
    }

    @Test
    void theSchemaCommandRefusesThemToo() {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        final int status;
        try {
            status = Main.run(new String[] {"schema", "-u", "app", "-ps3cret-pw", "--all-tables", "shop"});
        } finally {
            System.setErr(saved);
        }
        final String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, text);
        assertTrue(text.contains("spyglass takes no password on the command line") && !text.contains("s3cret-pw"), text);
    }
}
