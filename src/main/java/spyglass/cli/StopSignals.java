package spyglass.cli;

import java.io.PrintWriter;

/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP for a long-running command: the first asks for a clean stop (the
 * loop sees {@link #requested()}, drains the rings, flushes the file, writes {@code capture_end});
 * a second one stops at once, exit status 130, with only the lines already written.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported): the JDK has no supported way to tell a
 * first interrupt from a second, and a shutdown hook cannot wait for the capture loop safely.
 */
final class StopSignals {
    private final PrintWriter err;
    private volatile String reason;

    private StopSignals(final PrintWriter err) {
        this.err = err;
    }

    static StopSignals install(final PrintWriter err) {
        final StopSignals signals = new StopSignals(err);
        // HUP too: an SSH session that drops must still leave a finished file.
        for (final String name : new String[] {"INT", "TERM", "HUP"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signals::onSignal);
        }
        return signals;
    }

    // Each signal's handler runs on a thread of its own: two close together must not both be "first".
    private synchronized void onSignal(final sun.misc.Signal signal) {
        if (reason != null) {
            err.println();
            err.println("spyglass: stopped at once (second SIG" + signal.getName() + "); lines already written are complete");
            err.flush();
            Runtime.getRuntime().halt(130);
        }
        reason = "SIG" + signal.getName();
        err.println();
        err.println("spyglass: stopping (SIG" + signal.getName() + "): finishing the capture file; press Ctrl-C again to stop at once");
        err.flush();
    }

    /** Asks for a clean stop from the program itself (duration reached, enough queries). */
    synchronized void request(final String why) {
        if (reason == null) {
            reason = why;
        }
    }

    boolean requested() {
        return reason != null;
    }

    String reason() {
        return reason;
    }
}
