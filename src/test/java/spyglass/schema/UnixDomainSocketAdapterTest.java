package spyglass.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Unix-socket adapter keeps the contract of the {@link java.net.Socket} Connector/J reads. */
final class UnixDomainSocketAdapterTest {

    /**
     * java.net.Socket's contract, which Connector/J relies on (it catches IOException around its
     * reads): closing the socket makes a thread blocked reading it throw a SocketException. Here the
     * reader is woken by the selector's close and then touches the closed selector: an unchecked
     * ClosedSelectorException escapes the driver, and the schema thread (which catches only
     * SQLException) dies without a word.
     */
    @Test
    void closeWhileAnotherThreadReadsGivesAnIOException() throws Exception {
        final Path dir = Files.createTempDirectory("uds-test");
        final Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            final UnixDomainSocketAdapter socket = UnixDomainSocketAdapter.connect(path);
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
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /** After the peer closes, a read is -1 (EOF), as a Socket's. */
    @Test
    void peerCloseIsEndOfStream() throws Exception {
        final Path dir = Files.createTempDirectory("uds-test");
        final Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (UnixDomainSocketAdapter socket = UnixDomainSocketAdapter.connect(path)) {
                socket.setSoTimeout(2_000);
                server.accept().close();
                assertEquals(-1, socket.getInputStream().read(new byte[4], 0, 4));
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    /** A read that waits longer than the socket timeout ends with SocketTimeoutException; bytes go both ways. */
    @Test
    void theReadTimeoutAndARoundTrip() throws Exception {
        final Path dir = Files.createTempDirectory("uds-test");
        final Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (UnixDomainSocketAdapter socket = UnixDomainSocketAdapter.connect(path); SocketChannel peer = server.accept()) {
                socket.setSoTimeout(200);
                final long start = System.nanoTime();
                org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class,
                    () -> socket.getInputStream().read(new byte[4], 0, 4));
                org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - start >= 150_000_000L);
                final byte[] big = new byte[1 << 20]; // more than the socket buffers: the write waits for the reader
                for (int i = 0; i < big.length; i++) {
                    big[i] = (byte) i;
                }
                final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        socket.getOutputStream().write(big, 0, big.length);
                    } catch (final IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                final java.nio.ByteBuffer got = java.nio.ByteBuffer.allocate(big.length);
                while (got.hasRemaining()) {
                    peer.read(got);
                }
                writer.get(10, TimeUnit.SECONDS);
                org.junit.jupiter.api.Assertions.assertArrayEquals(big, got.array());
                peer.write(java.nio.ByteBuffer.wrap(new byte[] {7, 8, 9}));
                final byte[] three = new byte[3];
                assertEquals(3, socket.getInputStream().read(three, 0, 3));
                org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {7, 8, 9}, three);
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }
}
