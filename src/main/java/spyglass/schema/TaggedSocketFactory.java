package spyglass.schema;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.protocol.StandardSocketFactory;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Connector/J's own TCP socket factory, which also tells the capture that tagged the connection
 * (the connect attribute {@code spyglass_capture}) where the connection comes from, the moment its
 * socket is connected and before the driver sends a byte: a capture that cannot read the login
 * (the server encrypts it) still knows its own connection by its client address and port.
 */
public final class TaggedSocketFactory extends StandardSocketFactory {
    static final String ATTRIBUTE = "spyglass_capture";
    private static final Map<String, BiConsumer<InetSocketAddress, InetSocketAddress>> LISTENERS = new ConcurrentHashMap<>();

    /** Public with no arguments: the driver makes one per connection by reflection. */
    public TaggedSocketFactory() {
    }

    /** From now on, each connection tagged {@code tag} tells {@code listener} its local and remote addresses. */
    public static void listen(final String tag, final BiConsumer<InetSocketAddress, InetSocketAddress> listener) {
        LISTENERS.put(tag, listener);
    }

    public static void forget(final String tag) {
        LISTENERS.remove(tag);
    }

    @Override
    public <T extends Closeable> T connect(final String host, final int port, final PropertySet props,
                                           final int loginTimeout) throws IOException {
        final T socket = super.connect(host, port, props, loginTimeout);
        final BiConsumer<InetSocketAddress, InetSocketAddress> listener = LISTENERS.get(tagOf(
            props.getStringProperty(PropertyKey.connectionAttributes).getValue()));
        if (listener != null && rawSocket != null) {
            listener.accept(new InetSocketAddress(rawSocket.getLocalAddress(), rawSocket.getLocalPort()),
                new InetSocketAddress(rawSocket.getInetAddress(), rawSocket.getPort()));
        }
        return socket;
    }

    /** The tag in Connector/J's {@code connectionAttributes} ("key:value,key:value"), or "" when none. */
    static String tagOf(final String attributes) {
        if (attributes == null) {
            return "";
        }
        for (final String pair : attributes.split(",")) {
            final int colon = pair.indexOf(':');
            if (colon > 0 && pair.substring(0, colon).strip().equals(ATTRIBUTE)) {
                return pair.substring(colon + 1).strip();
            }
        }
        return "";
    }
}
