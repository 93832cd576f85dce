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
 * --max-statement-bytes 256 caps the redacted text, not the statement: the whole statement is
 * redacted as it streams in, and a text longer than the cap is cut before the first token that does
 * not fit and marked truncated. Literals shrink to one byte, so a statement with long values fits.
 */
class TruncationTest {
    private static final int MAX = 256;

    @TempDir
    Path tmp;

    /** 243 bytes of "SELECT id FROM orders WHERE c0 = 1000 AND ... AND c14 = 1014 AND ". */
    private static final String PREFIX;
    /** The prefix redacted (independently: every number is a literal): 198 bytes, so 58 are left. */
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
     * Sends {@code PREFIX + tail} for each tail and checks each event is the exact expected one,
     * with sql {@code PREFIX_REDACTED + expectedTail} and the truncated flag given, and that none of
     * {@code secrets} appears in any statement.
     */
    private void assertTexts(final String name, final boolean truncated, final String[][] tailsAndExpected,
                             final String... secrets) {
        assertEquals(243, PREFIX.length());
        assertEquals(198, PREFIX_REDACTED.length());
        final ScriptedConnection c = ScriptedConnection.ipv4("10.0.0.1", 50000, "10.0.0.2", 3306).connect(0, 42, "app", "shop");
        final List<JsonNode> expected = new ArrayList<>();
        expected.add(c.connRecord(300));
        long t = 1_000;
        for (final String[] tailAndExpected : tailsAndExpected) {
            final String sql = PREFIX + tailAndExpected[0];
            final ScriptedConnection.Expected e = c.update(t, sql, (PREFIX_REDACTED + tailAndExpected[1]).stripTrailing(), 100,
                t + 200, 1, AUTOCOMMIT);
            final ObjectNode q = c.queryRecord(e);
            q.put("truncated", truncated);
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
            "queries", (long) tailsAndExpected.length, "truncated_statements", truncated ? (long) tailsAndExpected.length : 0L));
    }

    /** Statements far over the cap in bytes, whose texts fit: whole, not truncated, no value shown. */
    @Test
    void longLiteralsDoNotCountAgainstTheCap() {
        final String secret = "SECRET-" + "0123456789".repeat(40);
        assertTexts("literals", false, new String[][] {
            {"note = '" + secret + "' AND id = 5", "note = ? AND id = ?"},
            {"x123456 = -1234567890123456789 AND ratio = 1.5e10", "x123456 = ? AND ratio = ?"},
            {"codes = 0x1F2E3D4C5B6A AND b = X'ABCDEF' AND c = 0b1010", "codes = ? AND b = ? AND c = ?"},
            {"actives = FALSE AND enabledx = TRUE", "actives = ? AND enabledx = ?"},
        }, "SECRET", "1234567", "1.5e", "1F2E", "ABCD", "0b1", "FALSE", "TRUE");
    }

    /**
     * Texts over the cap: cut before the first token that does not fit, whole tokens only (a literal
     * is one ?, a name is never halved), and the whitespace before the cut dropped.
     */
    @Test
    void aLongTextIsCutBeforeTheFirstTokenThatDoesNotFit() {
        assertTexts("cuts", true, new String[][] {
            {"c_alpha = 1 AND c_beta = 'SECRET-x' AND c_gamma_long_name_1234567890 = 3", "c_alpha = ? AND c_beta = ? AND"},
            {"customer_reference_code_that_is_long_enough_to_pass_the_cap = 5", ""},
            {"a = @@sql_mode AND b = 'SECRET-y' AND c = 1 AND d = 2 AND e = 3 AND f = 4 AND g = 5",
                "a = @@sql_mode AND b = ? AND c = ? AND d = ? AND e = ? AND"},
        }, "SECRET", "customer_ref", "f = ");
    }
}
