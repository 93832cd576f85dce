package spyglass.mysql;

/** Bounds of the MySQL layer; each is a named option with a sane default. */
public final class MysqlOptions {
    public static final int DEFAULT_MAX_STATEMENT_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 65_536;

    /**
     * How much of one statement is kept and redacted. A longer one is cut here, its event marked
     * {@code truncated}; the rest is still counted in {@code bytes_in}.
     */
    public int maxStatementBytes = DEFAULT_MAX_STATEMENT_BYTES;

    /**
     * How many connections are tracked at once (the per-connection state pool's bound). Flows beyond
     * it are counted in {@link MysqlCounters#untrackedConnections()} and ignored.
     */
    public int maxConnections = DEFAULT_MAX_CONNECTIONS;

    /**
     * The key of keyed redaction, the same object for every worker of a capture; null (the
     * default) makes every literal a plain {@code ?}.
     */
    public LiteralKey literalKey;

    /**
     * The client endpoints of this capture's own schema connections, whose traffic is counted and
     * never reported; null for none.
     */
    public OwnEndpoints ownEndpoints;

    /** Users and schemas of connections open before the capture (the server's process list); null for none. */
    public ConnectionIdentities identities;

    /** Told the tables the statements name, for the schema collector; null for nobody. */
    public TableNameListener tableNames;

    /** How literals are redacted, as {@code capture_start.redact} says: {@code plain} or {@code keyed}. */
    public String redactMode() {
        return literalKey == null ? "plain" : "keyed";
    }
}
