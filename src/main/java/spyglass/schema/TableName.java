package spyglass.schema;

/**
 * A table named by its schema and its name, as a user writes it: {@code db.table} or {@code `d.b`.`t`}.
 * {@code db} is null for a name from traffic whose schema is unknown.
 */
public record TableName(String db, String table) {
    /**
     * Reads {@code db.table}: each part bare (split at the first dot) or in backquotes (a doubled
     * backquote inside is one), so any name can be given.
     *
     * @throws IllegalArgumentException naming the form when {@code text} is not one
     */
    public static TableName parse(final String text) {
        final int[] at = {0};
        final String db = part(text, at, true);
        if (at[0] >= text.length() || text.charAt(at[0]) != '.') {
            throw new IllegalArgumentException("'" + text + "' is not DB.TABLE (backquote a name that holds a dot)");
        }
        at[0]++;
        final String table = part(text, at, false);
        if (at[0] != text.length() || db.isEmpty() || table.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not DB.TABLE (backquote a name that holds a dot)");
        }
        return new TableName(db, table);
    }

    /** The part at {@code at[0]}, which is moved past it; a bare first part ends at the first dot. */
    private static String part(final String s, final int[] at, final boolean first) {
        int i = at[0];
        if (i < s.length() && s.charAt(i) == '`') {
            final StringBuilder sb = new StringBuilder();
            i++;
            while (i < s.length()) {
                if (s.charAt(i) == '`') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '`') {
                        sb.append('`');
                        i += 2;
                        continue;
                    }
                    at[0] = i + 1;
                    return sb.toString();
                }
                sb.append(s.charAt(i++));
            }
            throw new IllegalArgumentException("'" + s + "': a backquote is not closed");
        }
        final int dot = s.indexOf('.', i);
        final int end = first && dot >= 0 ? dot : s.length();
        at[0] = end;
        return s.substring(i, end);
    }

    @Override
    public String toString() {
        return db == null ? SchemaCollector.quote(table) + " of an unknown schema"
            : SchemaCollector.quote(db) + "." + SchemaCollector.quote(table);
    }
}
