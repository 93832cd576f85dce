package spyglass.pipeline;

import java.util.ArrayList;
import java.util.List;
import spyglass.testing.TcpConversation;

/** The conversations the pipeline tests share, and ways to disturb their frames. */
final class Conversations {
    static final String Q1 = "SELECT id, name FROM users WHERE id = 42";
    static final String Q1_REDACTED = "SELECT id, name FROM users WHERE id = ?";
    static final String Q2 = "UPDATE users SET name = 'carol', note = 'x' WHERE id = 7";
    static final String Q2_REDACTED = "UPDATE users SET name = ?, note = ? WHERE id = ?";
    static final String Q3 = "SELECT id, name FROM users WHERE name IN ('alice', 'bob', 'carol', 'dave') "
        + "AND created > '2024-01-01 00:00:00' AND score BETWEEN 10 AND 99.5 ORDER BY id LIMIT 100";
    static final String Q3_REDACTED = "SELECT id, name FROM users WHERE name IN (?, ?, ?, ?) "
        + "AND created > ? AND score BETWEEN ? AND ? ORDER BY id LIMIT ?";

    /** SERVER_STATUS_AUTOCOMMIT, and with NO_INDEX_USED. */
    static final int AUTOCOMMIT = 0x0002;
    static final int AUTOCOMMIT_NO_INDEX = 0x0022;

    private Conversations() {
    }

    static String[][] rows(final int n) {
        final String[][] rows = new String[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new String[] {Integer.toString(i + 1), "name-" + (i + 1)};
        }
        return rows;
    }

    /**
     * Login, a point select (3 rows), an UPDATE, a long select (20 rows), QUIT: requests in
     * segments of {@code requestMss}, result sets in segments of {@code responseMss}.
     * Times: connect at 0, queries at 1000/2000/3000 µs, answers 250/400/300 µs later, QUIT at 4000.
     */
    static ScriptedConnection standard(final ScriptedConnection c, final int requestMss, final int responseMss) {
        c.connect(0, 42, "app", "shop");
        c.select(1_000, Q1, Q1_REDACTED, requestMss, 1_250, responseMss, rows(3), AUTOCOMMIT_NO_INDEX, "no_index_used");
        c.update(2_000, Q2, Q2_REDACTED, requestMss, 2_400, 1, AUTOCOMMIT);
        c.select(3_000, Q3, Q3_REDACTED, requestMss, 3_300, responseMss, rows(20), AUTOCOMMIT);
        c.quit(4_000);
        return c;
    }

    /** Capture time of the {@code conn} record of {@link #standard}: the login OK. */
    static final long CONN_AT_US = 300;
    /** Capture time the {@link #standard} connection closes. */
    static final long CLOSED_AT_US = ScriptedConnection.closedAfterQuitUs(4_000);

    /**
     * Reorders {@code frames[from, from + order.length)}: position i gets the frame at
     * {@code from + order[i]}. With {@code keepTimes}, each frame keeps its own timestamp (the file is
     * then out of time order, as if merged from several capture points); without, each position keeps
     * its timestamp (what one capture point sees when the network reordered the segments).
     */
    static void permute(final List<TcpConversation.Frame> frames, final int from, final int[] order, final boolean keepTimes) {
        final List<TcpConversation.Frame> original = new ArrayList<>(frames.subList(from, from + order.length));
        for (int i = 0; i < order.length; i++) {
            final TcpConversation.Frame moved = original.get(order[i]);
            frames.set(from + i, keepTimes ? moved
                : new TcpConversation.Frame(original.get(i).timestampNanos(), moved.bytes(), moved.fromClient()));
        }
    }
}
