package spyglass.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Unix-socket adapter keeps the contract of the {@link java.net.Socket} Connector/J reads. */
final class UnixDomainSocketAdapterTest {
    @TempDir
    Path dir;

    /** A listening socket in the test's directory. */
    private ServerSocketChannel listen() throws IOException {
        final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
        return server;
    }

    /**
     * Closing the socket makes a thread blocked reading it throw an IOException (Connector/J
     * catches those around its reads), not the closed selector's unchecked exception.
     */
    @Test
    void closeWhileAnotherThreadReadsGivesAnIOException() throws Exception {
        try (ServerSocketChannel server = listen()) {
            final UnixDomainSocketAdapter socket = UnixDomainSocketAdapter.connect(dir.resolve("s.sock"));
            try (SocketChannel peer = server.accept()) {
                socket.setSoTimeout(10_000);
                final CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        socket.getInputStream().read(new byte[16], 0, 16);
                        return null;
                    } catch (final Throwable t) {
                        return t;
                    }
                });
                Thread.sleep(300); // the reader is in select()
                socket.close();
                final Throwable t = reader.get(5, TimeUnit.SECONDS);
                assertInstanceOf(IOException.class, t, String.valueOf(t));
            }
        }
    }

    /** After the peer closes, a read is -1 (end of stream), as a Socket's. */
    @Test
    void peerCloseIsEndOfStream() throws Exception {
        try (ServerSocketChannel server = listen();
             UnixDomainSocketAdapter socket = UnixDomainSocketAdapter.connect(dir.resolve("s.sock"))) {
            socket.setSoTimeout(2_000);
            server.accept().close();
            assertEquals(-1, socket.getInputStream().read(new byte[4], 0, 4));
        }
    }

    /** A read that waits longer than the socket timeout ends with SocketTimeoutException; bytes go both ways. */
    @Test
    void theReadTimeoutAndARoundTrip() throws Exception {
        try (ServerSocketChannel server = listen();
             UnixDomainSocketAdapter socket = UnixDomainSocketAdapter.connect(dir.resolve("s.sock"));
             SocketChannel peer = server.accept()) {
            socket.setSoTimeout(200);
            final long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(new byte[4], 0, 4));
            assertTrue(System.nanoTime() - start >= 150_000_000L);
            final byte[] big = new byte[1 << 20]; // more than the socket buffers: the write waits for the reader
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(big, 0, big.length);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            final ByteBuffer got = ByteBuffer.allocate(big.length);
            while (got.hasRemaining()) {
                peer.read(got);
            }
            writer.get(10, TimeUnit.SECONDS);
            assertArrayEquals(big, got.array());
            peer.write(ByteBuffer.wrap(new byte[] {7, 8, 9}));
            final byte[] three = new byte[3];
            assertEquals(3, socket.getInputStream().read(three, 0, 3));
            assertArrayEquals(new byte[] {7, 8, 9}, three);
        }
    }

    @Test
    void noSuchSocketIsSaidInOneLine() {
        final IOException e = assertThrows(IOException.class, () -> UnixDomainSocketAdapter.connect(dir.resolve("none.sock")));
        assertEquals("cannot connect to the Unix socket " + dir.resolve("none.sock") + ": No such file or directory",
            e.getMessage());
    }
}
