package spyglass.mysql;

import java.nio.charset.StandardCharsets;
import org.agrona.collections.LongHashSet;
import spyglass.event.QueryEvent;
import spyglass.event.TextField;
import spyglass.redact.TableReferences;

/**
 * One worker's sightings of tables, for the schema collector: the first statement of each shape
 * (digest) run in a schema has its redacted text read by {@link TableReferences}, and each table
 * it names is handed to the listener, qualified by the connection's schema when the statement did
 * not name one. Every later statement of that shape in that schema costs one set lookup.
 *
 * <p>Strings are made only for a new shape; the set of shapes seen is bounded, and past the bound
 * new shapes are counted, not read.
 */
public final class TableSightings {
    /** Shapes (digest and schema) remembered per worker: 8 bytes each, a few MiB at most. */
    static final int MAX_SHAPES = 1 << 18;

    private final TableNameListener listener;
    private final TableReferences references = new TableReferences();
    private final LongHashSet seen = new LongHashSet(1024);
    private long shapesNotRead;

    public TableSightings(final TableNameListener listener) {
        this.listener = listener;
    }

    /**
     * Reads the tables of {@code e}'s statement if its shape is new in its schema.
     *
     * @return true when the statement's tables were read and told (a new shape)
     */
    public boolean onStatement(final QueryEvent e) {
        if (!e.hasDigest || e.sqlLength <= 0) {
            return false;
        }
        final TextField db = e.connection.db;
        final long shape = e.digest ^ (db.isKnown() ? mix(db) : 0x5bd1e995L);
        if (seen.contains(shape)) {
            return false;
        }
        if (seen.size() >= MAX_SHAPES) {
            shapesNotRead++;
            return false;
        }
        if (!listener.ready()) {
            return false; // the collector is behind: not read, so nothing is made, until there is room
        }
        final int n = references.extract(e.sql, 0, e.sqlLength);
        String connectionDb = null;
        for (int i = 0; i < n; i++) {
            final String schema;
            if (references.hasSchema(i)) {
                schema = references.schema(i);
            } else {
                if (connectionDb == null && db.isKnown() && db.length() > 0 && !db.isCut()) {
                    connectionDb = new String(db.bytes(), 0, db.length(), StandardCharsets.UTF_8);
                }
                schema = connectionDb;
            }
            if (!listener.offer(schema, references.table(i))) {
                return false; // not marked seen: the shape's next statement offers its names again
            }
        }
        seen.add(shape);
        return true;
    }

    /** New shapes not read because {@link #MAX_SHAPES} were remembered already. */
    public long shapesNotRead() {
        return shapesNotRead;
    }

    private static long mix(final TextField text) {
        long h = 0xcbf29ce484222325L;
        final byte[] b = text.bytes();
        for (int i = 0, n = text.length(); i < n; i++) {
            h = (h ^ b[i]) * 0x100000001b3L;
        }
        return h * 0x9E3779B97F4A7C15L;
    }
}
