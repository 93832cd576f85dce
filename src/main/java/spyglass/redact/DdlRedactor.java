package spyglass.redact;

import java.util.Locale;
import java.util.Set;

/**
 * Hides the values a table's definition can carry ({@code --redact-ddl}): {@code DEFAULT} values,
 * {@code COMMENT}s, the {@code AUTO_INCREMENT=} counter, partition bounds, constants in check
 * constraints, generated columns and views. What makes the schema stays: names, types with their
 * sizes ({@code varchar(64)}, {@code decimal(10,2)}), the members of {@code enum} and {@code set}
 * types, index prefix lengths ({@code (`name`(10))}).
 *
 * <p>Made for the server's own {@code SHOW CREATE} text: names in backquotes, strings in single
 * quotes (doubled quotes, backslash escapes), executable comments ({@code /*!50100 ... *}{@code /})
 * read as SQL. A string in double quotes is hidden too (under {@code ANSI_QUOTES} it would be a
 * name: hidden is the safe side). Not on a hot path: a definition is read once.
 */
public final class DdlRedactor {
    /** Type names whose parenthesised numbers are sizes, kept. */
    private static final Set<String> SIZED_TYPES = Set.of("char", "varchar", "binary", "varbinary", "decimal", "numeric",
        "dec", "fixed", "int", "integer", "tinyint", "smallint", "mediumint", "bigint", "float", "double", "real", "bit",
        "datetime", "timestamp", "time", "year", "vector", "text", "blob");
    /** Types whose parenthesised strings are members, kept. */
    private static final Set<String> MEMBER_TYPES = Set.of("enum", "set");

    private DdlRedactor() {
    }

    /** {@code ddl} with every value that is not part of the schema as {@code ?}. */
    public static String redact(final String ddl) {
        final StringBuilder out = new StringBuilder(ddl.length());
        // what the innermost open parenthesis keeps: sizes, members, or nothing
        final boolean[] keepNumbers = new boolean[64];
        final boolean[] keepStrings = new boolean[64];
        int depth = 0;
        String previousWord = "";
        boolean previousWasName = false;
        int i = 0;
        final int n = ddl.length();
        while (i < n) {
            final char c = ddl.charAt(i);
            if (c == '`') {
                final int end = closing(ddl, i, '`');
                out.append(ddl, i, end);
                i = end;
                previousWord = "";
                previousWasName = true;
                continue;
            }
            if (c == '\'' || c == '"') {
                final int end = closing(ddl, i, c);
                final boolean keep = c == '\'' && depth > 0 && depth <= keepStrings.length && keepStrings[depth - 1];
                out.append(keep ? ddl.substring(i, end) : "?");
                i = end;
                previousWord = "";
                previousWasName = false;
                continue;
            }
            if (c == '/' && i + 2 < n && ddl.charAt(i + 1) == '*' && ddl.charAt(i + 2) == '!') {
                int j = i + 3; // an executable comment's version digits, then SQL
                while (j < n && Character.isDigit(ddl.charAt(j))) {
                    j++;
                }
                out.append(ddl, i, j);
                i = j;
                continue;
            }
            if (c == '/' && i + 1 < n && ddl.charAt(i + 1) == '*') {
                final int end = ddl.indexOf("*/", i + 2);
                out.append("/* */"); // a plain comment's body is the writer's words, not schema
                i = end < 0 ? n : end + 2;
                continue;
            }
            if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(ddl.charAt(i + 1)))) {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(ddl.charAt(j)) || ddl.charAt(j) == '.' || ddl.charAt(j) == '_'
                    || (j > i && (ddl.charAt(j) == '+' || ddl.charAt(j) == '-') && (ddl.charAt(j - 1) | 0x20) == 'e'))) {
                    j++;
                }
                final String token = ddl.substring(i, j);
                if (!token.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-')) {
                    out.append(token); // a name that begins with digits: 2fa_codes
                } else {
                    final boolean keep = depth > 0 && depth <= keepNumbers.length && keepNumbers[depth - 1];
                    out.append(keep ? token : "?");
                }
                i = j;
                previousWord = "";
                previousWasName = false;
                continue;
            }
            if (Character.isLetter(c) || c == '_' || c == '$') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(ddl.charAt(j)) || ddl.charAt(j) == '_' || ddl.charAt(j) == '$')) {
                    j++;
                }
                final String word = ddl.substring(i, j);
                final String lower = word.toLowerCase(Locale.ROOT);
                if ((lower.equals("x") || lower.equals("b") || lower.equals("n") || lower.startsWith("_"))
                    && j < n && ddl.charAt(j) == '\'') {
                    // X'..', b'..', N'..', _utf8mb4'..': the prefix goes with its string
                    final int end = closing(ddl, j, '\'');
                    out.append('?');
                    i = end;
                    previousWord = "";
                    previousWasName = false;
                    continue;
                }
                out.append(word);
                i = j;
                previousWord = lower;
                previousWasName = false;
                continue;
            }
            if (c == '(') {
                if (depth < keepNumbers.length) {
                    // sizes only where the group is nothing but sizes: varchar(64), decimal(10,2), `name`(10)
                    keepNumbers[depth] = (SIZED_TYPES.contains(previousWord) || previousWasName) && sizesOnly(ddl, i);
                    keepStrings[depth] = MEMBER_TYPES.contains(previousWord);
                }
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            }
            if (!Character.isWhitespace(c)) {
                previousWord = "";
                previousWasName = false;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Whether the group opening at {@code open} holds one or two unsigned integers and nothing else. */
    private static boolean sizesOnly(final String s, final int open) {
        int i = open + 1;
        int numbers = 0;
        while (i < s.length()) {
            final int from = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == from || ++numbers > 2 || i == s.length()) {
                return false;
            }
            if (s.charAt(i) == ')') {
                return true;
            }
            if (s.charAt(i) != ',') {
                return false;
            }
            i++;
        }
        return false;
    }

    /** The index just past the quote that closes the one at {@code open} (doubled quotes and backslashes inside). */
    private static int closing(final String s, final int open, final char quote) {
        int i = open + 1;
        while (i < s.length()) {
            final char c = s.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return s.length(); // unclosed: the rest was inside it
    }
}
