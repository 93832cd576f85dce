package spyglass.cli;

import java.io.PrintWriter;

/**
 * A process whose clean stop never finishes, run by {@link StopSignalsIT}: so a second signal can
 * be sent while the first one's stop is still under way, with no race against a quick finish.
 */
public final class StopSignalsMain {
    private StopSignalsMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final PrintWriter err = new PrintWriter(System.err, true);
        final StopSignals signals = StopSignals.install(err);
        err.println("ready");
        while (!signals.requested()) {
            Thread.sleep(10);
        }
        err.println("stop requested: " + signals.reason());
        Thread.sleep(Long.MAX_VALUE); // a finish that takes forever
    }
}
