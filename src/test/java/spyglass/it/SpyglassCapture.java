package spyglass.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/spyglass capture ...} as a user runs it: a child process, started through the
 * real launcher, stopped with a real signal by its pid, its standard error kept for the test.
 */
final class SpyglassCapture implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("user.dir"));

    private final Process process;
    private final Path stderr;
    private Integer exitCode;

    private SpyglassCapture(final Process process, final Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    /**
     * Starts {@code [prefix...] scripts/spyglass capture args...} and waits until its ring is open
     * (its "capturing on" line: so not with {@code -q}).
     */
    static SpyglassCapture start(final List<String> prefix, final String... args) {
        final List<String> command = new ArrayList<>(prefix);
        command.add(ROOT.resolve("scripts/spyglass").toString());
        command.add("capture");
        command.addAll(List.of(args));
        try {
            final Path err = Files.createTempFile("spyglass-capture-", ".err");
            final Process p = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
            final SpyglassCapture capture = new SpyglassCapture(p, err);
            try {
                capture.awaitStderr("capturing on", Duration.ofSeconds(60));
            } catch (final AssertionError e) {
                capture.close(); // never leave a capture running behind a failed test
                throw e;
            }
            return capture;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SpyglassCapture start(final String... args) {
        return start(List.of(), args);
    }

    /** Waits until standard error holds {@code text}; fails with what it holds if the process ends first. */
    void awaitStderr(final String text, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!stderr().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("spyglass capture ended (exit " + process.exitValue() + ") before '" + text
                    + "': " + stderr());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' from spyglass capture within " + timeout + ": " + stderr());
            }
            sleep(50);
        }
    }

    boolean isRunning() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Sends {@code SIGNAL} (INT, TERM) to the process by its pid. */
    void signal(final String signal) {
        // bash's own kill: no dependency on procps, which a minimal host may lack.
        Tools.run(List.of("bash", "-c", "kill -" + signal + " \"$1\"", "kill", Long.toString(process.pid())), null,
            Duration.ofSeconds(10)).orThrow("kill -" + signal);
    }

    /** Waits for the process to end by itself (after a signal, --duration, --max-queries). */
    int waitFor(final Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("spyglass capture still running after " + timeout + ": " + stderr());
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        exitCode = process.exitValue();
        return exitCode;
    }

    String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Kills the process (by its pid) if a test left it running, and removes the stderr file. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
