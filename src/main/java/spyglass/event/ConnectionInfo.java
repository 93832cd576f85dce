package spyglass.event;

/**
 * What is known about one MySQL connection: the {@code conn} record, and the per-connection part of
 * every {@code query} record. Owned and reused by the MySQL layer; the sink must not retain it.
 */
public final class ConnectionInfo {
    /** {@code client_ip:port>server_ip:port}: the {@code conn} id. */
    public final TextField id = new TextField(2 * 64 + 1);
    public final TextField client = new TextField(64);
    public final TextField server = new TextField(64);
    /** Server-side connection id from the greeting, or -1 when unknown. */
    public long threadId = -1;
    public final TextField serverVersion = new TextField(96);
    public final TextField user = new TextField(128);
    public final TextField db = new TextField(256);
    public boolean tls;
    public boolean compressed;
    /** True when the connection's start (greeting and login) was not captured. */
    public boolean midstream;
    /**
     * Connect attributes a client sends at login that name the program and its driver
     * ({@code program_name}, {@code _client_name}, {@code _client_version}); unknown when not sent.
     * Every other attribute's value is hidden: only how many there were is kept.
     */
    public final TextField programName = new TextField(64);
    public final TextField clientName = new TextField(64);
    public final TextField clientVersion = new TextField(64);
    /** Connect attributes sent besides those three, whose values are never kept; -1 when none were sent. */
    public int hiddenAttributes = -1;
    /** Capabilities agreed at login (client & server), or 0 when the login was not seen. */
    public long capabilities;

    /** When the connection was first seen, and totals for {@code conn_close}. */
    public long openedNanos;
    public long queries;
    public long errors;
    public long bytesIn;
    public long bytesOut;
    public long packetsIn;
    public long packetsOut;

    public void reset() {
        id.clear();
        client.clear();
        server.clear();
        threadId = -1;
        serverVersion.clear();
        user.clear();
        db.clear();
        tls = false;
        compressed = false;
        midstream = false;
        capabilities = 0;
        programName.clear();
        clientName.clear();
        clientVersion.clear();
        hiddenAttributes = -1;
        openedNanos = 0;
        queries = errors = bytesIn = bytesOut = packetsIn = packetsOut = 0;
    }
}
