package spyglass.mysql;

/**
 * Told the tables the captured statements name, on the worker's thread, once per statement shape
 * and schema: the schema collector's feed. It must not block; it may refuse a name when it has no
 * room, and is told the same shape again the next time one of its statements completes.
 */
public interface TableNameListener {
    /**
     * @param db    the schema the statement named, else the connection's; null when neither is known
     * @param table the table, unquoted
     * @return false when the name could not be taken now
     */
    boolean offer(String db, String table);

    /**
     * Whether a statement's names (up to {@link spyglass.redact.TableReferences#DEFAULT_CAPACITY})
     * can be taken now. While not, a new shape is not even read, so a full queue costs the worker
     * nothing but this call; the shape is read when one of its statements finds room.
     */
    default boolean ready() {
        return true;
    }
}
