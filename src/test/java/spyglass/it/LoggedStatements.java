package spyglass.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import spyglass.testing.CaptureFile;

/**
 * The yardstick of the capture tests: the statements the server's general log shows, per server
 * thread and in order, redacted independently of spyglass; and the same from a capture file.
 */
final class LoggedStatements {
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
    /** A comment, not a hint or an executable comment: spyglass keeps its delimiters only. */
    private static final Pattern COMMENT = Pattern.compile("/\\*(?![+!]).*?\\*/");

    private LoggedStatements() {
    }

    /**
     * Quoted strings, decimals and integers become {@code ?} and comment bodies go: enough for the
     * statements of sysbench, the {@code mariadb} CLI and Connector/J's set-up, and independent of
     * spyglass's lexer.
     */
    static String redacted(final String sql) {
        return COMMENT.matcher(sql).replaceAll("/* */")
            .replaceAll("'[^']*'", "?").replaceAll("(?<![A-Za-z_0-9.])\\d+\\.\\d+(?![A-Za-z_0-9])", "?")
            .replaceAll("(?<![A-Za-z_0-9])\\d+(?![A-Za-z_0-9])", "?");
    }

    /** {@code Query} rows of the general log, redacted, per server thread id. */
    static Map<Long, List<String>> byThread(final List<GeneralLogRow> log) {
        final Map<Long, List<String>> out = new HashMap<>();
        for (final GeneralLogRow row : log) {
            if ("Query".equals(row.commandType())) {
                out.computeIfAbsent(row.threadId(), k -> new ArrayList<>()).add(redacted(row.argument()));
            }
        }
        return out;
    }

    /** Every quoted value of the general log's {@code Query} rows: none may appear in a capture file. */
    static List<String> quotedLiterals(final List<GeneralLogRow> log) {
        final List<String> literals = new ArrayList<>();
        for (final GeneralLogRow row : log) {
            if ("Query".equals(row.commandType())) {
                final Matcher m = QUOTED.matcher(row.argument());
                while (m.find()) {
                    literals.add(m.group(1));
                }
            }
        }
        return literals;
    }

    /** What the general log calls a command that runs a statement, and what spyglass calls it. */
    private static final Map<String, String> STATEMENT_COMMANDS = Map.of("Query", "query", "Prepare", "prepare",
        "Execute", "execute");

    /**
     * Every statement the general log shows ({@code Query}, {@code Prepare}, {@code Execute}, the last
     * with its values in place), as "command redacted-text", per server thread id, in order.
     */
    static Map<Long, List<String>> commandsByThread(final List<GeneralLogRow> log) {
        final Map<Long, List<String>> out = new HashMap<>();
        for (final GeneralLogRow row : log) {
            final String cmd = STATEMENT_COMMANDS.get(row.commandType());
            if (cmd != null) {
                out.computeIfAbsent(row.threadId(), k -> new ArrayList<>()).add(cmd + " " + redacted(row.argument()));
            }
        }
        return out;
    }

    /** The same from a capture: its {@code query}, {@code prepare} and {@code execute} records. */
    static Map<Long, List<String>> commandsByThread(final CaptureFile capture) {
        final Map<Long, List<String>> out = new HashMap<>();
        for (final JsonNode q : capture.ofType("query")) {
            final String cmd = q.path("cmd").asText();
            if (STATEMENT_COMMANDS.containsValue(cmd)) {
                out.computeIfAbsent(q.path("thread_id").asLong(), k -> new ArrayList<>()).add(cmd + " " + q.path("sql").asText());
            }
        }
        return out;
    }

    /** Quoted values of six or more characters in the general log's {@code Execute} rows. */
    static List<String> executedValues(final List<GeneralLogRow> log) {
        final List<String> values = new ArrayList<>();
        final Pattern quoted = Pattern.compile("'([^']{6,})'");
        for (final GeneralLogRow row : log) {
            if ("Execute".equals(row.commandType())) {
                final Matcher m = quoted.matcher(row.argument());
                while (m.find()) {
                    values.add(m.group(1));
                }
            }
        }
        return values;
    }

    /** The {@code sql} of a capture's {@code query} records, per thread id, in file order. */
    static Map<Long, List<String>> byThread(final CaptureFile capture) {
        final Map<Long, List<String>> out = new HashMap<>();
        for (final JsonNode q : capture.queries("query")) {
            out.computeIfAbsent(q.path("thread_id").asLong(), k -> new ArrayList<>()).add(q.path("sql").asText());
        }
        return out;
    }
}
