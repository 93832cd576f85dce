package spyglass.cli;

import java.util.Map;
import spyglass.output.JsonLineEncoder;
import spyglass.redact.DdlRedactor;
import spyglass.schema.IndexStatistics;
import spyglass.schema.SchemaCollector;
import spyglass.schema.TableDefinition;

/**
 * The {@code server} and {@code ddl} records of the capture file, one JSON line each, handed to a
 * {@link Lines}: a file of their own ({@code spyglass schema}) or the capture's output ring.
 */
final class SchemaRecords implements SchemaCollector.Sink {
    /** Where a finished line goes; false when it could not be taken. */
    @FunctionalInterface
    interface Lines {
        boolean write(byte[] line, int offset, int length);
    }

    private final JsonLineEncoder json = new JsonLineEncoder();
    private final Lines out;
    private final boolean redact;
    private int tables;
    private int lost;

    SchemaRecords(final Lines out, final boolean redact) {
        this.out = out;
        this.redact = redact;
    }

    /** ddl records written. */
    int tables() {
        return tables;
    }

    /** Records the destination did not take (longer than the capture's output ring allows). */
    int lost() {
        return lost;
    }

    @Override
    public void table(final TableDefinition t) {
        json.beginLine();
        json.name("type").string("ddl");
        json.name("ts").timestamp(System.currentTimeMillis() * 1_000_000L);
        json.name("db").string(t.db());
        json.name("table").string(t.table());
        json.name("kind").string(t.kind());
        json.name("engine");
        if (t.engine() == null) {
            json.nullValue();
        } else {
            json.string(t.engine());
        }
        json.name("rows").numberOrNull(t.rows());
        json.name("data_length").numberOrNull(t.dataLength());
        json.name("index_length").numberOrNull(t.indexLength());
        json.name("sql").string(redact ? DdlRedactor.redact(t.createStatement()) : t.createStatement());
        json.name("redacted").bool(redact);
        json.name("indexes").beginArray();
        for (final IndexStatistics index : t.indexes()) {
            json.beginObject();
            json.name("name").string(index.name());
            json.name("columns").beginArray();
            index.columns().forEach(json::string);
            json.endArray();
            json.name("unique").bool(index.unique());
            json.name("cardinality").numberOrNull(index.cardinality());
            json.endObject();
        }
        json.endArray();
        json.endLine();
        if (write()) {
            tables++;
        }
    }

    @Override
    public void server(final String phase, final Map<String, String> variables, final Map<String, String> status) {
        json.beginLine();
        json.name("type").string("server");
        json.name("ts").timestamp(System.currentTimeMillis() * 1_000_000L);
        json.name("phase").string(phase);
        json.name("variables").beginObject();
        variables.forEach((k, v) -> json.name(k).string(v == null ? "" : v));
        json.endObject();
        json.name("status").beginObject();
        status.forEach((k, v) -> json.name(k).string(v == null ? "" : v));
        json.endObject();
        json.endLine();
        write();
    }

    private boolean write() {
        if (out.write(json.buffer(), 0, json.length())) {
            return true;
        }
        lost++;
        return false;
    }
}
