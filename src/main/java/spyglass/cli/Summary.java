package spyglass.cli;

import spyglass.event.CaptureStats;

/** The closing line on standard error: what was read and what it became. */
final class Summary {
    private Summary() {
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
        sb.append(String.format(", %,d queries (%,d errors)", s.queries, s.errors));
        if (s.gaps > 0 || s.resyncs > 0) {
            sb.append(String.format(", %,d gaps (%,d bytes lost), %,d resyncs", s.gaps, s.gapBytes, s.resyncs));
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
