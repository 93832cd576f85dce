package spyglass.schema;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A port that accepts and never speaks (a wedged server, a proxy with nothing behind it): the
 * connect timeout ends the login, not the query timeout, which is much longer.
 */
class ConnectTimeoutTest {
    @Test
    void aServerThatNeverGreetsCostsTheConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            final Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try (Socket held = silent.accept()) {
                    Thread.sleep(60_000); // holds the connection open, says nothing
                } catch (final Exception e) {
                    // closed at the end of the test
                }
            });
            final ConnectionSettings settings = new ConnectionSettings("127.0.0.1", silent.getLocalPort(), null, "u",
                "p".toCharArray(), Duration.ofSeconds(1), Duration.ofSeconds(30));
            final long start = System.nanoTime();
            final SQLException e = assertThrows(SQLException.class, () -> SchemaCollector.connect(settings));
            final long millis = (System.nanoTime() - start) / 1_000_000;
            // the bound that matters: far below the 30 s query timeout (a loaded machine may add seconds)
            assertTrue(millis < 15_000, millis + " ms: " + e);
            assertTrue(SchemaCollector.describe(e).startsWith("Communications link failure"), SchemaCollector.describe(e));
            acceptor.interrupt();
        }
    }
}
