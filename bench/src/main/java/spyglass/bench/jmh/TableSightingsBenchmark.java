package spyglass.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import spyglass.event.ConnectionInfo;
import spyglass.event.QueryEvent;
import spyglass.mysql.TableSightings;
import spyglass.redact.SqlRedactor;
import spyglass.redact.TableReferences;

/**
 * What {@code capture --schema} adds to a worker for each statement (issue 6): a statement of a
 * shape already seen in its schema costs one set lookup ({@link #knownShape}, against
 * {@link #baseline}, the two field reads any statement costs anyway); the first statement of a new
 * shape has its tables read and named ({@link #newShape}).
 *
 * <pre>
 *   bench/jmh.sh TableSightingsBenchmark -prof gc
 * </pre>
 *
 * One op is one statement; {@code gc.alloc.rate.norm} is bytes allocated per statement (0 for a
 * known shape; a new shape makes its names' strings, once).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class TableSightingsBenchmark {
    @Param({"point", "join"})
    public String statement;

    private final QueryEvent event = new QueryEvent();
    private final TableReferences references = new TableReferences();
    private TableSightings sightings;

    @Setup
    public void setUp() {
        final String sql = switch (statement) {
            case "point" -> "SELECT c FROM sbtest1 WHERE id=4711";
            case "join" -> "SELECT o.id, c.name, SUM(l.qty) FROM orders o JOIN customers c ON c.id = o.customer_id"
                + " LEFT JOIN shop.order_lines l ON l.order_id = o.id WHERE o.created > '2026-01-01' GROUP BY o.id, c.name";
            default -> throw new IllegalArgumentException(statement);
        };
        final byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        final SqlRedactor redactor = new SqlRedactor();
        event.sqlLength = redactor.redact(new UnsafeBuffer(bytes), 0, bytes.length, event.sql, 0, event.sql.capacity());
        event.digest = redactor.digest();
        event.hasDigest = true;
        final ConnectionInfo connection = new ConnectionInfo();
        final byte[] db = "sbtest".getBytes(StandardCharsets.US_ASCII);
        connection.db.set(db, 0, db.length);
        event.connection = connection;
        sightings = new TableSightings((schema, table) -> true);
        if (!sightings.onStatement(event)) {
            throw new IllegalStateException("the first statement of a shape must be read");
        }
    }

    @Benchmark
    public long baseline() {
        return event.digest ^ event.connection.db.length();
    }

    @Benchmark
    public boolean knownShape() {
        return sightings.onStatement(event);
    }

    @Benchmark
    public void newShape(final Blackhole bh) {
        final int n = references.extract(event.sql, 0, event.sqlLength);
        for (int i = 0; i < n; i++) {
            bh.consume(references.schema(i));
            bh.consume(references.table(i));
        }
    }
}
