package spyglass.mysql;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import spyglass.event.ConnectionInfo;
import spyglass.event.TextField;

/**
 * Who the connections already open when the capture started are: user and schema by client
 * address and port, from the server's process list. A connection picked up mid-stream has no
 * login to read them from; without this its events would stay anonymous.
 *
 * <p>Published whole by the schema thread, read by every worker: a worker looks a mid-stream
 * connection up once per published snapshot, not per query, and a name the connection's own
 * traffic already told (a {@code USE}, a change of user) is never overwritten.
 */
public final class ConnectionIdentities {
    /** A user and a schema, as UTF-8 bytes (db null when the connection has none), and the server's id of it. */
    public record Identity(byte[] user, byte[] db, long threadId) {
    }

    private volatile Map<String, Identity> byClient = Map.of();
    private volatile int generation;

    /** Collects a snapshot's rows, then publishes them at once. */
    public static final class Snapshot {
        private final Map<String, Identity> exact = new HashMap<>();
        private final Map<String, Identity> byPort = new HashMap<>();
        private final Set<String> ambiguousPorts = new HashSet<>();

        /**
         * A row of the process list: its {@code HOST} column ({@code address:port}, a host name
         * and port when the server resolves names, no port for a Unix socket), {@code USER} and
         * {@code DB}, and {@code ID}. A row whose host has no port cannot be matched and is left out.
         */
        public Snapshot add(final String hostColumn, final String user, final String db, final long id) {
            if (hostColumn == null || user == null) {
                return this;
            }
            final int colon = hostColumn.lastIndexOf(':');
            if (colon <= 0) {
                return this;
            }
            final int port;
            try {
                port = Integer.parseInt(hostColumn.substring(colon + 1));
            } catch (final NumberFormatException e) {
                return this;
            }
            final Identity identity = new Identity(user.getBytes(StandardCharsets.UTF_8),
                db == null ? null : db.getBytes(StandardCharsets.UTF_8), id);
            final String address = canonical(hostColumn.substring(0, colon));
            if (address != null) {
                exact.put(address + "#" + port, identity);
                return this; // an address: never another client's, whatever its port
            }
            // A host name (the server resolves names): matched by port alone, where that is unique.
            final String portKey = "#" + port;
            if (byPort.putIfAbsent(portKey, identity) != null) {
                ambiguousPorts.add(portKey);
            }
            return this;
        }
    }

    /** Replaces what was known with {@code snapshot}; workers see it from their next lookup. */
    public void publish(final Snapshot snapshot) {
        final Map<String, Identity> all = new HashMap<>(snapshot.byPort);
        snapshot.ambiguousPorts.forEach(all::remove);
        all.putAll(snapshot.exact);
        byClient = Map.copyOf(all);
        generation++; // one writer: the schema thread
    }

    /** Changes with every {@link #publish}; 0 until the first. */
    public int generation() {
        return generation;
    }

    /**
     * The identity of the client at {@code endpoint} ({@code 10.0.0.1:5000} or {@code [::1]:5000},
     * as a {@code conn} record writes it), or null. Allocates: call once per connection and snapshot.
     */
    public Identity find(final String endpoint) {
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        final String port = endpoint.substring(colon + 1);
        final String address = canonical(endpoint.substring(0, colon));
        final Map<String, Identity> map = byClient;
        final Identity exact = address == null ? null : map.get(address + "#" + port);
        return exact != null ? exact : map.get("#" + port);
    }

    /** Fills what {@code connection} does not know yet of its user, schema and id from the process list. */
    boolean fill(final ConnectionInfo connection) {
        final Identity identity = find(connection.client.toString());
        if (identity == null) {
            return false;
        }
        final TextField user = connection.user;
        final TextField db = connection.db;
        if (connection.threadId < 0) {
            connection.threadId = identity.threadId();
        }
        if (!user.isKnown()) {
            user.set(identity.user(), 0, identity.user().length);
        }
        if (!db.isKnown()) {
            if (identity.db() == null) {
                db.setEmpty();
            } else {
                db.set(identity.db(), 0, identity.db().length);
            }
        }
        return true;
    }

    /** An IP literal in one spelling (IPv4-mapped IPv6 as IPv4), or null for a host name. */
    private static String canonical(final String address) {
        String a = address;
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        if (a.isEmpty() || !(Character.digit(a.charAt(0), 16) >= 0 || a.charAt(0) == ':')) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(a).getHostAddress(); // a literal only: never a name lookup
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }
}
