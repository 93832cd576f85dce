package spyglass.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedSelectorException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A Unix-domain {@link SocketChannel} dressed as the {@link Socket} Connector/J reads and writes:
 * its streams, close, and the read timeout ({@link #setSoTimeout}) the driver's socket timeout
 * relies on, kept with a selector since a channel's own streams have none. TCP options are
 * accepted and ignored: a Unix socket has none of them.
 */
final class UnixDomainSocketAdapter extends Socket {
    private final SocketChannel channel;
    private final Selector readable;
    private final Selector writable;
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile int timeoutMillis;

    private UnixDomainSocketAdapter(final SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.readable = Selector.open();
        this.writable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
        channel.register(writable, SelectionKey.OP_WRITE);
    }

    static UnixDomainSocketAdapter connect(final Path path) throws IOException {
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path)); // blocking: a local socket answers at once or not at all
            return new UnixDomainSocketAdapter(channel);
        } catch (final IOException | RuntimeException e) {
            channel.close();
            // no cause chained: this line is the one a user is shown, under the driver's own
            throw new IOException("cannot connect to the Unix socket " + path + ": " + e.getMessage());
        }
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public void setSoTimeout(final int timeout) {
        timeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() {
        return timeoutMillis;
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public InetAddress getInetAddress() {
        return InetAddress.getLoopbackAddress(); // the server is on this host
    }

    @Override
    public void setTcpNoDelay(final boolean on) {
    }

    @Override
    public void setKeepAlive(final boolean on) {
    }

    @Override
    public void setSendBufferSize(final int size) {
    }

    @Override
    public void setReceiveBufferSize(final int size) {
    }

    @Override
    public void setTrafficClass(final int tc) {
    }

    @Override
    public void setSoLinger(final boolean on, final int linger) {
    }

    @Override
    public void shutdownInput() throws IOException {
        channel.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            readable.close();
            writable.close();
        } finally {
            channel.close();
        }
    }

    /**
     * Waits until {@code selector}'s one key is ready, at most the read timeout (0: for ever). A
     * close from another thread, or an interrupt, ends the wait with an {@link IOException}, as a
     * {@link Socket}'s blocked read ends: the driver handles those, not unchecked ones.
     */
    private void await(final Selector selector) throws IOException {
        final int timeout = timeoutMillis;
        final int ready;
        try {
            ready = timeout > 0 ? selector.select(timeout) : selector.select();
            selector.selectedKeys().clear();
        } catch (final ClosedSelectorException e) {
            throw new SocketException("the Unix socket was closed");
        }
        if (!channel.isOpen()) {
            throw new SocketException("the Unix socket was closed");
        }
        if (ready == 0 && Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on the Unix socket");
        }
        if (ready == 0 && timeout > 0) {
            throw new SocketTimeoutException("no answer on the Unix socket within " + timeout + " ms");
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            final byte[] one = new byte[1];
            final int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            final ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (true) {
                final int n = channel.read(buffer);
                if (n != 0) {
                    return n;
                }
                await(readable);
            }
        }

        @Override
        public int available() throws IOException {
            return 0;
        }

        @Override
        public void close() throws IOException {
            UnixDomainSocketAdapter.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(final int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            final ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) == 0) {
                    await(writable);
                }
            }
        }

        @Override
        public void close() throws IOException {
            UnixDomainSocketAdapter.this.close();
        }
    }
}
