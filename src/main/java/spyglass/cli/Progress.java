package spyglass.cli;

import java.io.PrintWriter;
import spyglass.event.CaptureStats;
import spyglass.pipeline.Pipeline;

/**
 * A one-line progress display on standard error for long reads, refreshed at most once a second,
 * shown only on a terminal and only once the work has taken more than a second.
 */
final class Progress implements Runnable {
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final PrintWriter err;
    private final boolean enabled;
    private final Pipeline pipeline;
    private final long started = System.nanoTime();
    private long nextUpdate = started + INTERVAL_NANOS;
    private boolean shown;

    Progress(final PrintWriter err, final boolean quiet, final Pipeline pipeline) {
        this.err = err;
        this.pipeline = pipeline;
        final java.io.Console console = System.console();
        this.enabled = !quiet && console != null && console.isTerminal();
    }

    @Override
    public void run() {
        if (!enabled) {
            return;
        }
        final long now = System.nanoTime();
        if (now < nextUpdate) {
            return;
        }
        nextUpdate = now + INTERVAL_NANOS;
        final CaptureStats s = pipeline.snapshot();
        final double seconds = (now - started) / 1e9;
        err.printf("\r\033[Kreading: %,d packets (%,.0f/s), %,d connections, %,d queries", s.packets, s.packets / seconds,
            s.connections, s.queries);
        err.flush();
        shown = true;
    }

    void clear() {
        if (shown) {
            err.print("\r\033[K");
            err.flush();
            shown = false;
        }
    }
}
