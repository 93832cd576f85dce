package spyglass.event;

/**
 * Where the MySQL layer's records go (the JSON Lines encoder, a test's recorder). Arguments are
 * reused by the caller: copy what must outlive the call.
 */
public interface EventSink {
    /** A connection was first seen (after its login completed, or when it was picked up mid-stream). */
    void onConnection(ConnectionInfo connection, long timestampNanos);

    void onQuery(QueryEvent query);

    void onConnectionClose(ConnectionInfo connection, CloseReason reason, long timestampNanos);
}
