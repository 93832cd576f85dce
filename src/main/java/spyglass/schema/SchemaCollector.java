package spyglass.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the schema and the server's context over an ordinary client connection (mysql-connector-j):
 * the definitions and sizes of tables, and snapshots of the global variables and status. Every query
 * has a timeout; a failure on one table (dropped meanwhile, not visible to this user) is reported
 * once per kind of failure and the rest goes on.
 */
public final class SchemaCollector implements AutoCloseable {
    /** Where what is read goes. */
    public interface Sink {
        void table(TableDefinition table);

        void server(String phase, Map<String, String> variables, Map<String, String> status);
    }

    private final Connection connection;
    /** Asked between tables: a capture that stops ends a long read of all tables for its closing snapshot. */
    private java.util.function.BooleanSupplier stopping = () -> false;
    private final int queryTimeoutSeconds;
    /** Tables named on the command line that were not there. */
    private final List<String> missing = new ArrayList<>();
    /** Tables the traffic named that were not there. */
    private final List<String> notFound = new ArrayList<>();
    /** Each kind of failure (an error code, an empty schema) once, with the first message of its kind. */
    private final Map<String, String> problems = new LinkedHashMap<>();

    private SchemaCollector(final Connection connection, final int queryTimeoutSeconds) {
        this.connection = connection;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /**
     * Connects: TLS when the server offers it over TCP, the settings' timeouts, and the program named
     * in the connect attributes, so that a DBA can tell the connection from the application's. The password's
     * characters are wiped once the driver has them.
     */
    public static SchemaCollector connect(final ConnectionSettings s) throws SQLException {
        return connect(s, null);
    }

    /**
     * As {@link #connect(ConnectionSettings)}, for a capture: over TCP the connection goes through
     * {@link TaggedSocketFactory}, with {@code captureTag} in the connect attribute
     * {@code spyglass_capture} so the factory knows which capture to tell its addresses, by which
     * the capture leaves the connection out of its records.
     */
    public static SchemaCollector connect(final ConnectionSettings s, final String captureTag) throws SQLException {
        final Properties p = new Properties();
        p.setProperty("user", s.user());
        p.setProperty("password", new String(s.password()));
        Arrays.fill(s.password(), '\0');
        if (s.socket() != null) {
            p.setProperty("socketFactory", UnixSocketFactory.class.getName());
            p.setProperty("namedPipePath", s.socket().toString());
            p.setProperty("sslMode", "DISABLED"); // a Unix socket stays on the host
        } else {
            p.setProperty("sslMode", "PREFERRED");
            if (captureTag != null) {
                p.setProperty("socketFactory", TaggedSocketFactory.class.getName());
            }
        }
        p.setProperty("connectTimeout", Long.toString(s.connectTimeout().toMillis()));
        // the connect timeout bounds the login too (a port that accepts and never answers); the
        // queries' reads get their own bound once connected
        p.setProperty("socketTimeout", Long.toString(s.connectTimeout().toMillis()));
        p.setProperty("useServerPrepStmts", "false");
        p.setProperty("connectionAttributes", "program_name:spyglass-schema"
            + (captureTag != null ? "," + TaggedSocketFactory.ATTRIBUTE + ":" + captureTag : ""));
        final String host = s.host().indexOf(':') >= 0 ? "[" + s.host() + "]" : s.host();
        final Connection c = DriverManager.getConnection("jdbc:mysql://" + host + ":" + s.port() + "/", p);
        c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE,
            s.queryTimeout().toMillis() + s.connectTimeout().toMillis()));
        return new SchemaCollector(c, (int) Math.max(1, s.queryTimeout().toSeconds()));
    }

    /**
     * One line for a failed connection: the driver's first line (its "Communications link failure"
     * comes with a paragraph) and what lay under it: connection refused, an unknown host, no such
     * socket, a timeout.
     */
    public static String describe(final SQLException e) {
        final String message = e.getMessage() == null ? e.toString() : e.getMessage();
        final String first = message.lines().findFirst().orElse(message).strip();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == e) {
            return first;
        }
        final String why = root instanceof java.net.UnknownHostException ? "unknown host " + root.getMessage()
            : root instanceof java.net.SocketTimeoutException ? "no answer in time"
            : root.getMessage() != null ? root.getMessage().lines().findFirst().orElse("") : root.getClass().getSimpleName();
        return first.contains(why) ? first : first + ": " + why;
    }

    /** A name in backquotes, a backquote in it doubled: any name, reserved word or not, as the server wrote it. */
    static String quote(final String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** A snapshot of {@code SHOW GLOBAL VARIABLES} and {@code SHOW GLOBAL STATUS}, named by {@code phase}. */
    public void server(final String phase, final Sink sink) throws SQLException {
        sink.server(phase, pairs("SHOW GLOBAL VARIABLES"), pairs("SHOW GLOBAL STATUS"));
    }

    private Map<String, String> pairs(final String sql) throws SQLException {
        final Map<String, String> out = new LinkedHashMap<>();
        try (Statement st = connection.createStatement()) {
            st.setQueryTimeout(queryTimeoutSeconds);
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** One connection of the server's process list. */
    public record Process(long id, String user, String host, String db) {
    }

    /**
     * The server's other connections, from {@code information_schema.PROCESSLIST}: without the
     * PROCESS privilege a user sees only its own.
     */
    public List<Process> processList() throws SQLException {
        final List<Process> out = new ArrayList<>();
        try (Statement st = connection.createStatement()) {
            st.setQueryTimeout(queryTimeoutSeconds);
            try (ResultSet rs = st.executeQuery("SELECT ID, USER, HOST, DB FROM information_schema.PROCESSLIST"
                + " WHERE ID <> CONNECTION_ID()")) {
                while (rs.next()) {
                    out.add(new Process(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /**
     * The indexes of every table of {@code db} (of {@code table} only, when not null: a schema of
     * thousands of tables is not scanned for each one the traffic names), by table name, from
     * {@code information_schema.STATISTICS}.
     */
    private Map<String, List<IndexStatistics>> indexes(final String db, final String table) throws SQLException {
        final String sql = "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, NON_UNIQUE, CARDINALITY FROM information_schema.STATISTICS"
            + " WHERE TABLE_SCHEMA = ?" + (table != null ? " AND TABLE_NAME = ?" : "")
            + " ORDER BY TABLE_NAME, INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX";
        final Map<String, List<IndexStatistics>> out = new LinkedHashMap<>();
        try (PreparedStatement st = bySchemaAndTable(sql, db, table)) {
            try (ResultSet rs = st.executeQuery()) {
                String current = null;
                String index = null;
                List<String> columns = new ArrayList<>();
                boolean unique = false;
                long cardinality = -1;
                while (true) {
                    final boolean more = rs.next();
                    if (index != null && (!more || !rs.getString(1).equals(current) || !rs.getString(2).equals(index))) {
                        out.computeIfAbsent(current, k -> new ArrayList<>())
                            .add(new IndexStatistics(index, List.copyOf(columns), unique, cardinality));
                        columns = new ArrayList<>();
                    }
                    if (!more) {
                        break;
                    }
                    current = rs.getString(1);
                    index = rs.getString(2);
                    columns.add(rs.getString(3));
                    unique = rs.getInt(4) == 0;
                    final long c = rs.getLong(5); // the index's last column's: its distinct values
                    cardinality = rs.wasNull() ? -1 : c;
                }
            }
        }
        return out;
    }

    /** Every table and view of each schema in {@code schemas}. */
    public void allTables(final List<String> schemas, final Sink sink) throws SQLException {
        for (final String db : schemas) {
            if (stopping.getAsBoolean()) {
                return;
            }
            if (read(db, null, sink) == 0 && !stopping.getAsBoolean()) { // cut short is not empty
                problems.putIfAbsent("empty " + db,
                    "schema " + quote(db) + ": no tables this user can see (does it exist? SHOW privileges?)");
            }
        }
    }

    /** The tables and views named. */
    public void tables(final List<TableName> names, final Sink sink) throws SQLException {
        for (final TableName name : names) {
            if (read(name.db(), name.table(), sink) == 0) {
                missing.add(name.toString());
            }
        }
    }

    /** Schemas searched for a table whose statement's connection had no known schema. */
    static final int MAX_SCHEMAS_PER_UNQUALIFIED_NAME = 16;

    /**
     * A table the captured traffic named: as {@link #tables}, but a name without a schema (its
     * connection's schema was unknown) is looked for in every schema, and what is not found is
     * said in words that fit traffic (a temporary table, a name the statement only aliased).
     *
     * @return how many definitions were written
     */
    public int tableSeen(final TableName name, final Sink sink) throws SQLException {
        try {
            return lookUp(name, sink);
        } catch (final SQLException e) {
            if (connectionLost(e)) {
                throw e;
            }
            // one name the server will not look up (a character its catalog cannot hold, a timeout):
            // said once per kind, and the collector goes on with the next
            problems.putIfAbsent("lookup " + e.getErrorCode(), "a table the traffic named could not be looked up ("
                + name + "): " + e.getMessage() + "; skipped");
            return 0;
        }
    }

    /**
     * Whether {@code e} means the connection is gone (SQL state class 08, or closed), rather than one
     * statement failing: only then is there no point going on.
     */
    private boolean connectionLost(final SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
            return true;
        }
        try {
            return connection.isClosed();
        } catch (final SQLException closed) {
            return true;
        }
    }

    private int lookUp(final TableName name, final Sink sink) throws SQLException {
        if (name.db() != null) {
            final int found = read(name.db(), name.table(), sink);
            if (found == 0) {
                notFound.add(name.toString());
            }
            return found;
        }
        final List<String> schemas = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT DISTINCT TABLE_SCHEMA FROM"
            + " information_schema.TABLES WHERE TABLE_NAME = ? ORDER BY TABLE_SCHEMA LIMIT "
            + MAX_SCHEMAS_PER_UNQUALIFIED_NAME)) {
            st.setQueryTimeout(queryTimeoutSeconds);
            st.setString(1, name.table());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
        }
        int found = 0;
        for (final String db : schemas) {
            found += read(db, name.table(), sink);
        }
        if (found == 0) {
            notFound.add(name.toString());
        }
        return found;
    }

    /** {@code sql} with its schema bound, and its table when not null, and the query timeout set. */
    private PreparedStatement bySchemaAndTable(final String sql, final String db, final String table) throws SQLException {
        final PreparedStatement st = connection.prepareStatement(sql);
        try {
            st.setQueryTimeout(queryTimeoutSeconds);
            st.setString(1, db);
            if (table != null) {
                st.setString(2, table);
            }
            return st;
        } catch (final SQLException e) {
            st.close();
            throw e;
        }
    }

    /** Reads the tables of {@code db} ({@code table} only, when not null); returns how many were listed. */
    private int read(final String db, final String table, final Sink sink) throws SQLException {
        final String list = "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH"
            + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?" + (table != null ? " AND TABLE_NAME = ?" : "")
            + " ORDER BY TABLE_NAME";
        int found = 0;
        final Map<String, List<IndexStatistics>> indexes = indexes(db, table);
        try (PreparedStatement st = bySchemaAndTable(list, db, table)) {
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next() && !stopping.getAsBoolean()) {
                    found++;
                    final String name = rs.getString(1);
                    final boolean view = "VIEW".equals(rs.getString(2));
                    final String ddl = createStatement(db, name, view);
                    if (ddl != null) {
                        sink.table(new TableDefinition(db, name, view ? "view" : "table", rs.getString(3),
                            size(rs, 4), size(rs, 5), size(rs, 6), ddl, indexes.getOrDefault(name, List.of())));
                    }
                }
            }
        }
        return found;
    }

    private static long size(final ResultSet rs, final int column) throws SQLException {
        final long v = rs.getLong(column);
        return rs.wasNull() ? -1 : v;
    }

    /** {@code SHOW CREATE TABLE} (or {@code VIEW}), or null with the failure noted: the capture goes on. */
    private String createStatement(final String db, final String table, final boolean view) {
        final String sql = "SHOW CREATE " + (view ? "VIEW " : "TABLE ") + quote(db) + "." + quote(table);
        try (Statement st = connection.createStatement()) {
            st.setQueryTimeout(queryTimeoutSeconds);
            try (ResultSet rs = st.executeQuery(sql)) {
                return rs.next() ? rs.getString(2) : null;
            }
        } catch (final SQLException e) {
            problems.putIfAbsent(Integer.toString(e.getErrorCode()), switch (e.getErrorCode()) {
                case 1146 -> "a table was dropped while it was read (" + quote(db) + "." + quote(table) + "): skipped";
                case 1142, 1143, 1044, 1356 -> "no privilege to read some definitions (first: " + quote(db) + "."
                    + quote(table) + "): skipped; GRANT SELECT, SHOW VIEW on them to see them";
                default -> "reading " + quote(db) + "." + quote(table) + " failed: " + e.getMessage();
            });
            return null;
        }
    }

    /** From now on, reads of many tables end early once {@code stop} says so. */
    public void stopWhen(final java.util.function.BooleanSupplier stop) {
        this.stopping = stop;
    }

    /** Names shown in full in a problem's line; beyond them, how many more. */
    private static final int NAMES_SHOWN = 10;

    /**
     * What went wrong, each kind once, in the order it happened; tables that were not found are
     * named, the first {@value #NAMES_SHOWN} of them.
     */
    public List<String> problems() {
        final List<String> out = new ArrayList<>(problems.values());
        if (!missing.isEmpty()) {
            out.add(names(missing, "table", "tables") + " not found (dropped, misspelt, or not visible to this user): skipped");
        }
        if (!notFound.isEmpty()) {
            out.add(names(notFound, "table the traffic named", "tables the traffic named") + " not found (temporary "
                + "tables, dropped since, or not visible to this user): skipped");
        }
        return out;
    }

    private static String names(final List<String> names, final String one, final String many) {
        final String shown = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())));
        return (names.size() == 1 ? one : many) + " " + shown
            + (names.size() > NAMES_SHOWN ? " and " + (names.size() - NAMES_SHOWN) + " more" : "");
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
