package spyglass.schema;

import java.util.List;

/**
 * One index of a table from {@code information_schema.STATISTICS}: its columns in order, whether it
 * is unique, and the server's estimate of its distinct values (its last column's cardinality), -1
 * when the server has none.
 */
public record IndexStatistics(String name, List<String> columns, boolean unique, long cardinality) {
}
