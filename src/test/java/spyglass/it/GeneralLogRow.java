package spyglass.it;

/**
 * One row of MariaDB's mysql.general_log: the server's own record of what a client sent.
 * {@code threadId} is the connection id the server announced in its greeting.
 */
public record GeneralLogRow(long threadId, String commandType, String argument) {
}
