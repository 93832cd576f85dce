package spyglass.mysql;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import spyglass.event.TextField;

/**
 * This capture's own schema connections, by their id as a {@code conn} record writes it
 * ({@code 127.0.0.1:41234>127.0.0.1:3306}), published by the schema thread as soon as a socket is
 * connected. Both ends, not the client alone: the kernel lets another socket reuse the local port
 * towards a different server. An address pair in use cannot be taken by another client, unlike a
 * connect attribute (readable back from performance_schema), and it is there in an encrypted login
 * and after an idle spell, when no login is seen at all.
 *
 * <p>Published before the driver sends a byte, so a worker reading the login already sees it; an
 * entry goes when its connection ends (FIN or RST, not an idle eviction: the connection may speak
 * again), so a port the kernel hands on later is traffic again. Read without allocating; the few
 * entries are replaced whole.
 */
public final class OwnEndpoints {
    /** Entries kept at most: the collector's connection and the driver's short cancel connections. */
    static final int KEEP = 64;

    private volatile byte[][] ids = new byte[0][];

    /** Adds the connection {@code id}, forgetting the oldest beyond {@link #KEEP}. */
    public synchronized void add(final String id) {
        final byte[][] old = ids;
        final int keep = Math.min(old.length, KEEP - 1);
        final byte[][] next = new byte[keep + 1][];
        System.arraycopy(old, old.length - keep, next, 0, keep);
        next[keep] = id.getBytes(StandardCharsets.US_ASCII);
        ids = next;
    }

    /** Forgets {@code id}: its connection ended. Rare (once per own connection), so it may allocate. */
    synchronized void remove(final TextField id) {
        final byte[][] old = ids;
        final int at = indexOf(old, id);
        if (at < 0) {
            return;
        }
        final byte[][] next = new byte[old.length - 1][];
        System.arraycopy(old, 0, next, 0, at);
        System.arraycopy(old, at + 1, next, at, old.length - at - 1);
        ids = next;
    }

    boolean contains(final TextField id) {
        return indexOf(ids, id) >= 0;
    }

    private static int indexOf(final byte[][] all, final TextField id) {
        for (int i = 0; i < all.length; i++) {
            final byte[] e = all[i];
            if (e.length == id.length() && Arrays.equals(e, 0, e.length, id.bytes(), 0, e.length)) {
                return i;
            }
        }
        return -1;
    }
}
