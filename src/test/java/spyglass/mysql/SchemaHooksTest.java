package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static spyglass.testing.MysqlWire.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import spyglass.testing.MysqlWire;

/**
 * What the MySQL layer does for the schema collector of {@code capture --schema}: it leaves out the
 * collector's own connection, names mid-stream connections from the process list, and reports the
 * tables the statements name, once per statement shape and schema.
 */
final class SchemaHooksTest {
    private static final long CAPS = CLIENT_CAPS | CONNECT_WITH_DB | CONNECT_ATTRS;
    private static final String TAG = "00112233aabbccdd";

    /** A login whose connect attributes are {@code keyValues}, as Connector/J sends them. */
    private static byte[] loginWith(final String... keyValues) {
        final MysqlWire attrs = payload();
        for (final String s : keyValues) {
            attrs.lenencText(s);
        }
        final byte[] a = attrs.build();
        return payload().u32(CAPS).u32(16 * 1024 * 1024).u8(0x21).zeros(19).u32(0).nul("spy")
            .u8(20).bytes(new byte[20]).nul("shop").nul("mysql_native_password").lenenc(a.length).bytes(a).build();
    }

    private static Conversation loginThenQuery(final byte[] login) {
        return new Conversation().server(10, MysqlConversationTrackerTest.GREETING).client(20, packet(1, login))
            .server(30, MysqlConversationTrackerTest.LOGIN_OK)
            .client(100, packet(0, query("SELECT VARIABLE_NAME FROM information_schema.GLOBAL_STATUS")))
            .server(110, packet(1, ok(0, 0, 2, 0)));
    }

    /** Options whose own schema connection comes from {@code endpoints}. */
    private static MysqlOptions own(final String... endpoints) {
        final MysqlOptions o = new MysqlOptions();
        o.ownEndpoints = new OwnEndpoints();
        for (final String e : endpoints) {
            o.ownEndpoints.add(e);
        }
        return o;
    }

    @Test
    void theCapturesOwnConnectionIsCountedAndNotReported() {
        final MysqlConversationTracker tracker = Conversation.tracker(own("10.0.0.7:1234>10.0.0.2:3306", Conversation.ID));
        final List<Object> events = loginThenQuery(loginWith("program_name", "spyglass-schema", "spyglass_capture", TAG))
            .run(tracker);
        assertEquals(List.of(), events);
        assertEquals(1, tracker.counters().ownConnections());
        assertEquals(0, tracker.counters().queries());
    }

    @Test
    void aClientThatCopiesTheTagIsTrafficLikeAnyOther() {
        // the attribute can be read back from performance_schema: only the address counts
        final MysqlConversationTracker tracker = Conversation.tracker(own("10.0.0.7:1234>10.0.0.2:3306"));
        final List<Object> events = loginThenQuery(loginWith("program_name", "spyglass-schema", "spyglass_capture", TAG))
            .run(tracker);
        assertEquals(3, events.size(), events.toString());
        assertEquals(0, tracker.counters().ownConnections());
        // and with no own connection at all, nothing is left out
        assertEquals(3, loginThenQuery(loginWith("spyglass_capture", TAG)).run(Conversation.tracker(new MysqlOptions())).size());
    }

    @Test
    void theOwnConnectionPickedUpAfterAnIdleSpellIsStillLeftOut() {
        final MysqlConversationTracker tracker = Conversation.tracker(own(Conversation.ID));
        final List<Object> events = new Conversation().midstream()
            .client(100, packet(0, query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'x'")))
            .server(110, packet(1, ok(0, 0, 2, 0))).run(tracker);
        assertEquals(List.of(), events);
        assertEquals(1, tracker.counters().ownConnections());
        assertEquals(0, tracker.counters().resyncs());
    }

    @Test
    void theOwnConnectionsFailedLoginIsNotAnErrorOfTheTraffic() {
        final MysqlConversationTracker tracker = Conversation.tracker(own(Conversation.ID));
        final List<Object> events = new Conversation().server(10, MysqlConversationTrackerTest.GREETING)
            .client(20, packet(1, loginWith("spyglass_capture", TAG)))
            .server(30, packet(2, err(1045, "28000", "Access denied for user 'spy'"))).run(tracker);
        assertEquals(List.of(), events);
        assertEquals(0, tracker.counters().errors());
        assertEquals(1, tracker.counters().ownConnections());
    }

    @Test
    void aMidstreamConnectionTakesItsUserAndSchemaFromTheProcessList() {
        final MysqlOptions o = new MysqlOptions();
        o.identities = new ConnectionIdentities();
        final MysqlConversationTracker tracker = Conversation.tracker(o);
        final Conversation c = new Conversation().midstream()
            .client(100, packet(0, query("SELECT 1"))).server(110, packet(1, ok(0, 0, 2, 0)));
        // before the snapshot: unknown, as without one
        List<Object> events = c.run(tracker);
        assertNull(((Recorder.Q) events.get(1)).user);
        o.identities.publish(new ConnectionIdentities.Snapshot()
            .add("10.0.0.9:50000", "other", "elsewhere", 9) // same port, another client
            .add("10.0.0.1:50000", "app", "shop", 12)
            .add("localhost", "root", null, 7)); // a Unix socket: no port, nothing to match
        events = c.run(tracker);
        final Recorder.Conn conn = (Recorder.Conn) events.get(0);
        assertEquals("app", conn.user());
        assertEquals("shop", conn.db());
        assertEquals(12, conn.threadId());
        assertEquals(12, ((Recorder.Q) events.get(1)).threadId);
        assertEquals("app", ((Recorder.Q) events.get(1)).user);
        assertEquals("shop", ((Recorder.Q) events.get(1)).db);
    }

    @Test
    void whatTheConnectionSaidItselfWinsOverTheSnapshot() {
        final MysqlOptions o = new MysqlOptions();
        o.identities = new ConnectionIdentities();
        o.identities.publish(new ConnectionIdentities.Snapshot().add("10.0.0.1:50000", "app", "shop", 7));
        final List<Object> events = new Conversation().midstream()
            .client(100, packet(0, command(0x02, "billing"))).server(110, packet(1, ok(0, 0, 2, 0)))
            .client(200, packet(0, query("SELECT 1"))).server(210, packet(1, ok(0, 0, 2, 0)))
            .run(Conversation.tracker(o));
        assertEquals("billing", ((Recorder.Q) events.get(2)).db, events.toString());
        assertEquals("app", ((Recorder.Q) events.get(2)).user);
    }

    @Test
    void processListHostsMatchByAddressOrByAUniquePort() {
        final ConnectionIdentities ids = new ConnectionIdentities();
        assertEquals(0, ids.generation());
        ids.publish(new ConnectionIdentities.Snapshot()
            .add("localhost:41000", "named", "a", 7) // the server resolved the name: the port alone
            .add("::ffff:127.0.0.1:42000", "mapped", null, 7)
            .add("[::1]:43000", "v6", "c", 7)
            .add("db1.example:44000", "x", "d", 7).add("db2.example:44000", "y", "e", 7) // one port, two clients
            .add("10.1.1.1:bad", "z", "f", 7));
        assertEquals(1, ids.generation());
        assertEquals("named", new String(ids.find("127.0.0.1:41000").user()));
        assertEquals("mapped", new String(ids.find("127.0.0.1:42000").user()));
        assertNull(ids.find("127.0.0.1:42000").db());
        assertEquals("v6", new String(ids.find("[0:0:0:0:0:0:0:1]:43000").user()));
        assertEquals("v6", new String(ids.find("[::1]:43000").user()));
        assertNull(ids.find("10.0.0.5:44000"), "ambiguous by port");
        assertNull(ids.find("10.0.0.5:45000"));
        assertNull(ids.find("10.0.0.2:42000"), "an address row names its own client only, not others on its port");
    }

    /** A listener that keeps what it is told, refusing while {@code full}. */
    private static final class Names implements TableNameListener {
        final List<String> seen = new ArrayList<>();
        boolean full;

        @Override
        public boolean offer(final String db, final String table) {
            if (full) {
                return false;
            }
            seen.add(db + "." + table);
            return true;
        }
    }

    @Test
    void tablesAreToldOncePerShapeAndSchemaQualifiedByTheConnection() {
        final Names names = new Names();
        final MysqlOptions o = new MysqlOptions();
        o.tableNames = names;
        final MysqlConversationTracker tracker = Conversation.tracker(o);
        final Conversation c = MysqlConversationTrackerTest.loggedIn(CAPS, "shop")
            .client(100, packet(0, query("SELECT * FROM orders o JOIN billing.invoices i ON i.id = o.id WHERE o.id = 5")))
            .server(110, packet(1, ok(0, 0, 2, 0)))
            .client(200, packet(0, query("SELECT * FROM orders o JOIN billing.invoices i ON i.id = o.id WHERE o.id = 6")))
            .server(210, packet(1, ok(0, 0, 2, 0)))
            .client(300, packet(0, command(0x02, "archive"))).server(310, packet(1, ok(0, 0, 2, 0)))
            .client(400, packet(0, query("SELECT * FROM orders o JOIN billing.invoices i ON i.id = o.id WHERE o.id = 7")))
            .server(410, packet(1, ok(0, 0, 2, 0)));
        c.run(tracker);
        assertEquals(List.of("shop.orders", "billing.invoices", "archive.orders", "billing.invoices"), names.seen);
        // a refused offer is made again by the shape's next statement
        names.seen.clear();
        names.full = true;
        final MysqlConversationTracker refusing = Conversation.tracker(o);
        final Conversation once = MysqlConversationTrackerTest.loggedIn(CAPS, "shop")
            .client(100, packet(0, query("UPDATE stock SET n = 1"))).server(110, packet(1, ok(1, 0, 2, 0)));
        once.run(refusing);
        assertTrue(names.seen.isEmpty());
        names.full = false;
        once.run(refusing);
        assertEquals(List.of("shop.stock"), names.seen);
    }

    @Test
    void aStatementOfAnUnknownSchemaGivesItsTablesUnqualified() {
        final Names names = new Names();
        final MysqlOptions o = new MysqlOptions();
        o.tableNames = names;
        new Conversation().midstream()
            .client(100, packet(0, query("DELETE FROM sessions WHERE id = 'x'"))).server(110, packet(1, ok(1, 0, 2, 0)))
            .run(Conversation.tracker(o));
        assertEquals(List.of("null.sessions"), names.seen);
    }

    @Test
    void anEncryptedOwnConnectionIsKnownByItsAddress() {
        final MysqlOptions o = own();
        final MysqlConversationTracker tracker = Conversation.tracker(o);
        final Conversation tls = new Conversation().server(10, MysqlConversationTrackerTest.GREETING)
            .client(20, packet(1, sslRequest(CAPS))).client(30, new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5});
        // before the collector has said where it connects from: an encrypted connection like any other
        assertEquals(2, tls.run(tracker).size());
        o.ownEndpoints.add("10.0.0.7:1234>10.0.0.2:3306");
        o.ownEndpoints.add(Conversation.ID);
        assertEquals(List.of(), tls.run(tracker));
        assertEquals(1, tracker.counters().ownConnections());
        assertEquals(1, tracker.counters().encryptedConnections()); // the other one
    }

    @Test
    void ownEndpointsKeepTheNewestAndMatchWholeIds() {
        final OwnEndpoints endpoints = new OwnEndpoints();
        final spyglass.event.TextField id = new spyglass.event.TextField(128);
        for (int port = 1; port <= OwnEndpoints.KEEP + 2; port++) {
            endpoints.add("127.0.0.1:" + port + ">127.0.0.1:3306");
        }
        for (int port = 1; port <= OwnEndpoints.KEEP + 2; port++) {
            final byte[] b = ("127.0.0.1:" + port + ">127.0.0.1:3306").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            id.set(b, 0, b.length);
            assertEquals(port > 2, endpoints.contains(id), "port " + port);
        }
        final byte[] prefix = "127.0.0.1:10>127.0.0.1:330".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        id.set(prefix, 0, prefix.length);
        assertFalse(endpoints.contains(id));
        final byte[] ten = "127.0.0.1:10>127.0.0.1:3306".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        id.set(ten, 0, ten.length);
        endpoints.remove(id);
        assertFalse(endpoints.contains(id));
    }

    /** The collector's TLS connection, idle past the timeout, is picked up again mid-stream: TLS never resumes. */
    @Test
    void anEncryptedOwnConnectionPickedUpMidstreamIsLeftOut() {
        final MysqlConversationTracker tracker = Conversation.tracker(own(Conversation.ID));
        final List<Object> events = new Conversation().midstream()
            .client(100, new byte[] {0x17, 0x03, 0x03, 0x00, 0x05, 9, 8, 7, 6, 5})
            .server(110, new byte[] {0x17, 0x03, 0x03, 0x00, 0x03, 1, 2, 3}).run(tracker);
        assertEquals(List.of(), events);
        assertEquals(1, tracker.counters().ownConnections());
    }

    /** Once the collector's connection has ended, the kernel may give its port to an application. */
    @Test
    void anEndedOwnConnectionsPortServesTrafficNext() {
        final MysqlOptions o = own(Conversation.ID);
        final MysqlConversationTracker tracker = Conversation.tracker(o);
        assertEquals(List.of(), loginThenQuery(loginWith("x", "y")).run(tracker)); // ends with FIN
        assertEquals(3, loginThenQuery(loginWith("program_name", "app")).run(tracker).size());
        assertEquals(1, tracker.counters().ownConnections());
    }

    /** An idle eviction is not the end: the connection may speak again and must stay known. */
    @Test
    void anIdleEvictionKeepsTheOwnConnectionKnown() {
        final MysqlOptions o = own(Conversation.ID);
        final MysqlConversationTracker tracker = Conversation.tracker(o);
        final Conversation idle = loginThenQuery(loginWith("x", "y")).close(spyglass.tcp.FlowCloseReason.IDLE, 500);
        assertEquals(List.of(), idle.run(tracker));
        assertEquals(List.of(), new Conversation().midstream()
            .client(600, packet(0, query("SELECT 1 FROM information_schema.TABLES"))).server(610, packet(1, ok(0, 0, 2, 0)))
            .run(tracker));
    }

    /** The kernel reuses a local port towards another server: that connection is not the collector's. */
    @Test
    void anotherServerFromTheSameLocalPortIsTraffic() {
        final MysqlConversationTracker tracker = Conversation.tracker(own(Conversation.CLIENT + ">10.0.0.3:3306"));
        assertEquals(3, loginThenQuery(loginWith("program_name", "app")).run(tracker).size());
        assertEquals(0, tracker.counters().ownConnections());
    }

    @Test
    void whileTheCollectorHasNoRoomANewShapeCostsNothing() {
        final boolean[] room = {false};
        final List<String> told = new ArrayList<>();
        final TableSightings sightings = new TableSightings(new TableNameListener() {
            @Override
            public boolean offer(final String db, final String table) {
                told.add(db + "." + table);
                return room[0];
            }

            @Override
            public boolean ready() {
                return room[0];
            }
        });
        final spyglass.event.QueryEvent e = new spyglass.event.QueryEvent(4096);
        e.connection = new spyglass.event.ConnectionInfo();
        e.connection.db.set("shop".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 4);
        final byte[] sql = "SELECT * FROM orders o JOIN billing.invoices i ON i.id = o.id WHERE o.id = ?"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        e.sql.putBytes(0, sql);
        e.sqlLength = sql.length;
        e.hasDigest = true;
        e.digest = 42;
        final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            sightings.onStatement(e); // warm-up
        }
        final long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sightings.onStatement(e);
        }
        final long bytes = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(bytes < 100_000, bytes + " bytes over 100,000 statements while the collector had no room");
        assertTrue(told.isEmpty());
        room[0] = true;
        assertTrue(sightings.onStatement(e));
        assertEquals(List.of("shop.orders", "billing.invoices"), told);
    }

    @Test
    void pastTheBoundNewShapesAreCountedNotRead() {
        final int[] told = {0};
        final TableSightings sightings = new TableSightings((db, table) -> {
            told[0]++;
            return true;
        });
        final spyglass.event.QueryEvent e = new spyglass.event.QueryEvent(256);
        e.connection = new spyglass.event.ConnectionInfo();
        e.connection.db.setEmpty();
        final byte[] sql = "SELECT 1 FROM t".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        e.sql.putBytes(0, sql);
        e.sqlLength = sql.length;
        e.hasDigest = true;
        for (int shape = 0; shape < TableSightings.MAX_SHAPES; shape++) {
            e.digest = shape * 0x9E3779B97F4A7C15L;
            assertTrue(sightings.onStatement(e));
        }
        e.digest = -7;
        assertFalse(sightings.onStatement(e));
        assertEquals(1, sightings.shapesNotRead());
        assertEquals(TableSightings.MAX_SHAPES, told[0]);
    }
}
