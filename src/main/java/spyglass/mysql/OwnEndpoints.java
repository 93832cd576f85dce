package spyglass.mysql;

import java.nio.charset.StandardCharsets;
import spyglass.event.TextField;

/**
 * The client endpoints of this capture's own schema connections, as a {@code conn} record writes
 * them ({@code 127.0.0.1:41234}, {@code [::1]:41234}), published by the schema thread as soon as
 * its socket is connected. An address in use cannot be taken by another client, unlike a connect
 * attribute (readable back from performance_schema), and it is there in an encrypted login and
 * after an idle spell, when no login is seen at all.
 *
 * <p>Published before the driver sends a byte, so a worker reading the login already sees it.
 * Read without allocating; the few entries are replaced whole.
 */
public final class OwnEndpoints {
    /** Entries kept: the collector's connection, and the short ones the driver opens to cancel a query. */
    private static final int KEEP = 8;

    private volatile byte[][] endpoints = new byte[0][];

    /** Adds {@code endpoint}, forgetting the oldest beyond {@link #KEEP}. One writer: the schema thread. */
    public synchronized void add(final String endpoint) {
        final byte[][] old = endpoints;
        final int keep = Math.min(old.length, KEEP - 1);
        final byte[][] next = new byte[keep + 1][];
        System.arraycopy(old, old.length - keep, next, 0, keep);
        next[keep] = endpoint.getBytes(StandardCharsets.US_ASCII);
        endpoints = next;
    }

    boolean contains(final TextField client) {
        final byte[][] all = endpoints;
        for (final byte[] e : all) {
            if (e.length == client.length() && java.util.Arrays.equals(e, 0, e.length, client.bytes(), 0, e.length)) {
                return true;
            }
        }
        return false;
    }
}
