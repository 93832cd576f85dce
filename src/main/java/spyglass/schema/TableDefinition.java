package spyglass.schema;

import java.util.List;

/**
 * One table's or view's definition as the server gives it ({@code SHOW CREATE TABLE} or
 * {@code SHOW CREATE VIEW}) and its size from {@code information_schema.TABLES}: the {@code ddl}
 * record, with its indexes' cardinality. Sizes are -1 where the server keeps none (a view).
 */
public record TableDefinition(String db, String table, String kind, String engine, long rows, long dataLength,
                              long indexLength, String createStatement, List<IndexStatistics> indexes) {
}
