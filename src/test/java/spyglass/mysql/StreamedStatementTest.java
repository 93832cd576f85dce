package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.mysql.MysqlConversationTrackerTest.digestOf;
import static spyglass.mysql.MysqlConversationTrackerTest.loggedIn;
import static spyglass.mysql.MysqlConversationTrackerTest.redacted;
import static spyglass.testing.MysqlWire.CLIENT_CAPS;
import static spyglass.testing.MysqlWire.ok;
import static spyglass.testing.MysqlWire.packet;
import static spyglass.testing.MysqlWire.query;

import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.tcp.TcpFlow;

/**
 * Statements that arrive over many segments are redacted as they stream, each connection with its
 * own redactor state: two connections of one worker sending long statements whose segments
 * interleave, cut at every size from one byte to a full Ethernet segment.
 */
class StreamedStatementTest {
    private static String statement(final String who, final int rows) {
        final StringBuilder sb = new StringBuilder("INSERT INTO `audit_" + who + "` (id, actor, note) VALUES ");
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "" : ", ").append('(').append(7_000_000 + i).append(", 'secret-").append(who).append('-')
                .append(i).append("', _utf8mb4'caf\u00e9 \\' ").append(who).append("')");
        }
        return sb.append(" /* trailing ").append(who).append(" comment */").toString();
    }

    @Test
    void interleavedConnectionsStreamTheirOwnStatements() {
        final String sqlA = statement("alpha", 120);
        final String sqlB = statement("beta", 90);
        for (final int piece : new int[] {1, 7, 100, 1448}) {
            final MysqlConversationTracker tracker = Conversation.tracker();
            final Conversation a = loggedIn(CLIENT_CAPS, "").client(100, packet(0, query(sqlA))).server(200, packet(1, ok(1, 0, 2, 0)));
            final Conversation b = loggedIn(CLIENT_CAPS, "").client(100, packet(0, query(sqlB))).server(200, packet(1, ok(1, 0, 2, 0)));
            final TcpFlow flowA = Conversation.flow("10.0.0.1:50000", "10.0.0.2:3306");
            final TcpFlow flowB = Conversation.flow("10.0.0.3:50001", "10.0.0.2:3306");
            tracker.onFlowOpen(flowA, true, 1);
            tracker.onFlowOpen(flowB, true, 1);
            // Step by step, piece by piece, alternating between the two connections.
            final List<int[]> cursors = new ArrayList<>();
            cursors.add(new int[] {0, 0});
            cursors.add(new int[] {0, 0});
            final Conversation[] conversations = {a, b};
            final TcpFlow[] flows = {flowA, flowB};
            boolean progress = true;
            while (progress) {
                progress = false;
                for (int k = 0; k < 2; k++) {
                    final int[] at = cursors.get(k);
                    if (at[0] >= conversations[k].steps.size()) {
                        continue;
                    }
                    final Conversation.Step step = conversations[k].steps.get(at[0]);
                    final int n = Math.min(piece, step.bytes().length - at[1]);
                    tracker.onData(flows[k], step.client(), new UnsafeBuffer(step.bytes()), at[1], n, step.ts());
                    at[1] += n;
                    if (at[1] == step.bytes().length) {
                        at[0]++;
                        at[1] = 0;
                    }
                    progress = true;
                }
            }
            final List<Recorder.Q> queries = new ArrayList<>();
            for (final Object e : ((Recorder) tracker.sink).events) {
                if (e instanceof Recorder.Q q) {
                    queries.add(q);
                }
            }
            assertEquals(2, queries.size(), "pieces of " + piece);
            final Recorder.Q qa = queries.get(0).conn.startsWith("10.0.0.1") ? queries.get(0) : queries.get(1);
            final Recorder.Q qb = qa == queries.get(0) ? queries.get(1) : queries.get(0);
            assertEquals(redacted(sqlA), qa.sql, "pieces of " + piece);
            assertEquals(redacted(sqlB), qb.sql, "pieces of " + piece);
            assertEquals(digestOf(sqlA), qa.digest);
            assertEquals(digestOf(sqlB), qb.digest);
            assertFalse(qa.truncated || qb.truncated);
            for (final Recorder.Q q : queries) {
                assertFalse(q.sql.contains("secret") || q.sql.contains("caf") || q.sql.contains("7000"), q.sql);
                assertTrue(q.sql.endsWith("(?, ?, ?) /* */"), q.sql.substring(q.sql.length() - 30));
            }
        }
    }
}
