package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static spyglass.pipeline.Conversations.AUTOCOMMIT;
import static spyglass.pipeline.PipelineRead.assertCaptureEnd;
import static spyglass.pipeline.PipelineRead.assertEvents;
import static spyglass.pipeline.PipelineRead.events;
import static spyglass.pipeline.PipelineRead.read;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.testing.CaptureFile;

/**
 * --max-statement-bytes 256: a longer statement is cut, marked truncated, and its sql ends on a
 * token boundary; nothing of a literal the cut went through may show.
 */
class TruncationTest {
    private static final int MAX = 256;

    @TempDir
    Path tmp;

    /** 243 bytes of "SELECT id FROM orders WHERE c0 = 1000 AND ... AND c14 = 1014 AND ": the cut falls 13 bytes into the tail. */
    private static final String PREFIX;
    /** The prefix redacted (independently: every number is a literal). */
    private static final String PREFIX_REDACTED;

    static {
        final StringBuilder sb = new StringBuilder("SELECT id FROM orders WHERE ");
        for (int i = 0; sb.length() < 230; i++) {
            sb.append('c').append(i).append(" = ").append(1000 + i).append(" AND ");
        }
        PREFIX = sb.toString();
        PREFIX_REDACTED = PREFIX.replaceAll("= \\d+", "= ?");
    }

    /**
     * Sends {@code PREFIX + tail} for each tail (the cut lands 13 bytes into it) and checks each event
     * is the exact expected one with sql {@code PREFIX_REDACTED + expectedTail}, and that none of
     * {@code secrets} appears in any statement.
     */
    private void assertCuts(final String name, final String[][] tailsAndExpected, final String... secrets) {
        assertEquals(243, PREFIX.length());
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        final List<JsonNode> expected = new ArrayList<>();
        expected.add(c.connRecord(300));
        long t = 1_000;
        for (final String[] tailAndExpected : tailsAndExpected) {
            final String sql = PREFIX + tailAndExpected[0];
            final ScriptedConnection.Expected e = c.update(t, sql, (PREFIX_REDACTED + tailAndExpected[1]).stripTrailing(), 100,
                t + 200, 1, AUTOCOMMIT);
            final ObjectNode q = c.queryRecord(e);
            q.put("truncated", true);
            expected.add(q);
            t += 1_000;
        }
        c.quit(t);
        expected.add(c.closeRecord(ScriptedConnection.closedAfterQuitUs(t), "quit"));

        final CaptureFile capture = read(c.tcp.writePcap(tmp.resolve(name + ".pcap")), "--max-statement-bytes", Integer.toString(MAX));
        assertEvents(expected, events(capture));
        final StringBuilder sqlText = new StringBuilder();
        capture.ofType("query").forEach(q -> sqlText.append(q.path("sql").asText()).append('\n'));
        for (final String secret : secrets) {
            assertFalse(sqlText.toString().contains(secret), "leaked: " + secret);
        }
        assertCaptureEnd(capture, c.tcp.frames(), Map.of("flows_total", 1L, "connections", 1L,
            "queries", (long) tailsAndExpected.length, "truncated_statements", (long) tailsAndExpected.length));
    }

    /**
     * Cut inside a quoted string, a number, a hex or bit literal: the literal, whole or cut, is one ?
     * (or, when the cut leaves only a token that could as well be a name, nothing).
     */
    @Test
    void cutThroughALiteralHidesIt() {
        assertCuts("literals", new String[][] {
            {"note = 'SECRET-CUT-0123456789' AND id = 5", "note = ?"},
            {"x123456 = -12345 AND x = 1", "x123456 = ?"},
            {"abcdefgh = 12.75 AND x = 1", "abcdefgh = ?"},
            // "1e" at the cut may be a number or a name (1ea): a partial token is dropped, never kept.
            {"ratio123 = 1e10 AND x = 1", "ratio123 ="},
            {"codes = 0x1F2E AND x = 1", "codes = ?"},
            {"abcdefg = X'ABCD' AND x = 1", "abcdefg = ?"},
            {"ab = 0b101010101 AND x = 1", "ab = ?"},
        }, "SECRE", "'SEC", "1F2", "-12", "12.", "0b1", "X'A");
    }

    /**
     * Cut inside TRUE or FALSE (literals), or inside an identifier or a variable name: the
     * partial word is not a token and must go. "FAL" would tell the value was FALSE.
     */
    @Test
    void cutThroughAWordDropsThePartialWord() {
        assertCuts("words", new String[][] {
            {"actives = FALSE AND x = 1", "actives ="},
            {"enabledx = TRUE AND x = 1", "enabledx ="},
            {"customer_reference_code = 5", ""},
            {"a = @@sql_mode AND x = 1", "a ="},
        }, "= FAL", "= TR", "customer_refe", "@@sql_mod");
    }
}
