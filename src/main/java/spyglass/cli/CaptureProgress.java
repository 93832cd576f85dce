package spyglass.cli;

import java.io.PrintWriter;
import java.util.Locale;
import spyglass.event.CaptureStats;

/**
 * What a running capture shows on standard error: on a terminal one line rewritten every second;
 * otherwise (a log, a pipe) a plain line every {@code plainIntervalNanos}; nothing when quiet.
 * Rates are over the last interval, not since the start, so a burst shows as a burst.
 */
final class CaptureProgress {
    private static final long TERMINAL_INTERVAL_NANOS = 1_000_000_000L;

    private final PrintWriter err;
    private final boolean quiet;
    private final boolean terminal;
    private final long intervalNanos;
    private long lastNanos;
    private long lastPackets;
    private long lastQueries;
    private long nextNanos;
    private boolean lineShown;

    CaptureProgress(final PrintWriter err, final boolean quiet, final boolean terminal, final long plainIntervalNanos,
                    final long nowNanos) {
        this.err = err;
        this.quiet = quiet;
        this.terminal = terminal;
        this.intervalNanos = terminal ? TERMINAL_INTERVAL_NANOS : plainIntervalNanos;
        this.lastNanos = nowNanos;
        this.nextNanos = nowNanos + intervalNanos;
    }

    boolean due(final long nowNanos) {
        return !quiet && nowNanos >= nextNanos;
    }

    void show(final CaptureStats s, final long fileBytes, final long nowNanos) {
        final double seconds = Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
        final String line = line(s, (s.packets - lastPackets) / seconds, (s.queries - lastQueries) / seconds, fileBytes);
        lastNanos = nowNanos;
        lastPackets = s.packets;
        lastQueries = s.queries;
        nextNanos = nowNanos + intervalNanos;
        if (terminal) {
            err.print("\r\033[K" + line);
            lineShown = true;
        } else {
            err.println("spyglass: " + line);
        }
        err.flush();
    }

    static String line(final CaptureStats s, final double packetsPerSecond, final double queriesPerSecond,
                       final long fileBytes) {
        return String.format(Locale.ROOT, "%,d packets (%,.0f/s), %,d queries (%,.0f/s), %,d connections, "
                + "kernel drops %,d, ring drops %,d, file %s",
            s.packets, packetsPerSecond, s.queries, queriesPerSecond, s.connections, s.kernelDrops, s.ringDrops,
            ByteSize.format(fileBytes));
    }

    /** Leaves the terminal line for what comes next (the summary, a message). */
    void clear() {
        if (lineShown) {
            err.print("\r\033[K");
            err.flush();
            lineShown = false;
        }
    }
}
