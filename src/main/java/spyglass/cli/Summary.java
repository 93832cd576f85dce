package spyglass.cli;

import spyglass.event.CaptureStats;

/** The closing line on standard error: what was read and what it became. */
final class Summary {
    private Summary() {
    }

    private static String count(final long n, final String one, final String many) {
        return String.format("%,d ", n) + (n == 1 ? one : many);
    }

    static String of(final CaptureStats s, final long frames, final long elapsedNanos, final String output) {
        final StringBuilder sb = new StringBuilder("spyglass: ");
        sb.append(String.format("%,d packets", frames));
        if (s.malformed > 0) {
            sb.append(String.format(" (%,d malformed, skipped)", s.malformed));
        }
        sb.append(String.format(s.connections == 1 ? ", %,d connection" : ", %,d connections", s.connections));
        if (s.encryptedConnections > 0) {
            sb.append(String.format(" (%,d encrypted, %,d bytes, not decoded)", s.encryptedConnections, s.encryptedBytes));
        }
        if (s.ownConnections > 0) {
            sb.append(String.format(" (%,d of them spyglass's own, left out)", s.ownConnections));
        }
        sb.append(", ").append(count(s.queries, "query", "queries"))
            .append(" (").append(count(s.errors, "error", "errors")).append(')');
        if (s.gaps > 0 || s.resyncs > 0) {
            // a connection picked up mid-stream (open before the capture) is one resync: not a loss
            sb.append(", ").append(count(s.gaps, "gap", "gaps")).append(String.format(" (%,d bytes lost), ", s.gapBytes))
                .append(count(s.resyncs, "resync", "resyncs"));
        }
        if (s.truncatedStatements > 0) {
            sb.append(String.format(", %,d statements truncated", s.truncatedStatements));
        }
        sb.append(String.format(" in %.2f s", elapsedNanos / 1e9));
        if (!"-".equals(output)) {
            sb.append(" -> ").append(output);
        }
        return sb.toString();
    }
}
