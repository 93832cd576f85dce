package spyglass.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C once asks for a clean stop; Ctrl-C again, while that stop is under way, ends the process at once. */
class StopSignalsIT {
    @TempDir
    Path tmp;

    private static void awaitText(final Path file, final String text, final Process p) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(file).contains(text)) {
            assertTrue(p.isAlive(), "ended before '" + text + "': " + Files.readString(file));
            assertTrue(System.nanoTime() < deadline, "no '" + text + "': " + Files.readString(file));
            Thread.sleep(20);
        }
    }

    private static void kill(final String signal, final long pid) throws Exception {
        // bash's own kill: no dependency on procps, which a minimal host may lack.
        assertEquals(0, new ProcessBuilder("bash", "-c", "kill -" + signal + " \"$1\"", "kill", Long.toString(pid)).start().waitFor());
    }

    @Test
    void aSecondInterruptDuringTheCleanStopEndsTheProcessWithStatus130() throws Exception {
        final Path err = tmp.resolve("err.txt");
        final String java = ProcessHandle.current().info().command().orElseThrow();
        final Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            StopSignalsMain.class.getName())).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitText(err, "ready", p);
            kill("INT", p.pid());
            awaitText(err, "stop requested: SIGINT", p);
            assertTrue(Files.readString(err).contains("press Ctrl-C again to stop at once"), Files.readString(err));
            assertTrue(p.isAlive(), "the first interrupt only asks");
            kill("INT", p.pid());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running after the second interrupt");
            assertEquals(130, p.exitValue(), Files.readString(err));
            assertTrue(Files.readString(err).contains("stopped at once (second SIGINT)"), Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }
}
