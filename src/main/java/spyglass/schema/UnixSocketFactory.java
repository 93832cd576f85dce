package spyglass.schema;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.protocol.ServerSession;
import com.mysql.cj.protocol.SocketConnection;
import com.mysql.cj.protocol.SocketFactory;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Connector/J over the server's Unix socket, which the driver cannot open by itself. The JDK has
 * Unix-domain socket channels since 16, so this needs no native library (junixsocket would bring
 * one into a process that runs as root). The socket's path comes in the driver's
 * {@code namedPipePath} property, the one its own Windows named-pipe factory reads.
 *
 * <p>A Unix socket never leaves the host, so no TLS is negotiated over it, as the {@code mysql}
 * client does not either.
 */
public final class UnixSocketFactory implements SocketFactory {
    private UnixDomainSocketAdapter socket;

    /** Public with no arguments: the driver makes one per connection by reflection. */
    public UnixSocketFactory() {
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Closeable> T connect(final String host, final int port, final PropertySet props,
                                           final int loginTimeout) throws IOException {
        final String path = props.getStringProperty(PropertyKey.PATH).getValue();
        if (path == null || path.isEmpty()) {
            throw new IOException("no Unix socket path given (the namedPipePath property)");
        }
        socket = UnixDomainSocketAdapter.connect(Path.of(path));
        return (T) socket;
    }

    @Override
    public <T extends Closeable> T performTlsHandshake(final SocketConnection connection, final ServerSession session)
        throws IOException {
        throw new IOException("TLS is not used over a Unix socket (sslMode must be DISABLED)");
    }
}
