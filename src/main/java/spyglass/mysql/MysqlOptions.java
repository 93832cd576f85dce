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
}
