package spyglass.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class CaptureSchemaTest {
    @Test
    void theCollectorsEndpointIsWrittenAsTheWorkersWriteAClient() throws Exception {
        assertEquals("127.0.0.1:41234", CaptureSchema.endpoint(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 41234)));
        assertEquals("[::1]:5", CaptureSchema.endpoint(new InetSocketAddress(InetAddress.ofLiteral("::1"), 5)));
        assertEquals("[2001:db8::a:0:1]:3306",
            CaptureSchema.endpoint(new InetSocketAddress(InetAddress.ofLiteral("2001:db8:0:0:0:a:0:1"), 3306)));
    }

    @Test
    void aCollectorThatCannotConnectSaysSoOnceEvenWhenQuiet() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final int closedPort = taken.getLocalPort();
            taken.close(); // nothing listens there now
            final spyglass.schema.ConnectionSettings settings = new spyglass.schema.ConnectionSettings("127.0.0.1",
                closedPort, null, "app", "pw".toCharArray(), java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2));
            final CaptureSchema schema = new CaptureSchema(settings, java.util.List.of(), false);
            final spyglass.mysql.MysqlOptions options = new spyglass.mysql.MysqlOptions();
            schema.configure(options);
            final java.util.List<String> lines = new java.util.ArrayList<>();
            schema.start((line, offset, length) -> lines.add(new String(line, offset, length)));
            schema.finish(java.time.Duration.ofSeconds(20).toNanos());
            final java.util.List<String> said = new java.util.ArrayList<>();
            schema.drainMessages(said::add, true);
            assertEquals(1, said.size(), said.toString());
            org.junit.jupiter.api.Assertions.assertTrue(said.get(0).startsWith("schema: cannot connect to app@127.0.0.1:"
                + closedPort + " (Communications link failure: Connection refused"), said.get(0));
            assertEquals(java.util.List.of(), lines);
            // once it has given up, names from the workers are dropped, not queued
            org.junit.jupiter.api.Assertions.assertTrue(options.tableNames.ready() && options.tableNames.offer("db", "t"));
        }
    }
}
