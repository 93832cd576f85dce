package spyglass.tcp;

/**
 * One TCP connection between a client and a MySQL server, as the flow table tracks it.
 *
 * <p>Pooled and reused: the {@link FlowTable} owns every instance, and a flow is recycled after
 * {@link TcpFlowListener#onFlowClose}. The client is the side that is not on a server port.
 * The printable endpoint texts ({@code 10.0.0.1:51234}, {@code [2001:db8::1]:3306}) are formatted
 * once when the flow opens, into buffers the flow keeps, so nothing is allocated per flow.
 */
public final class TcpFlow {
    public static final int MAX_ENDPOINT_TEXT = 64;

    int ipVersion;
    long clientAddressHigh;
    long clientAddressLow;
    int clientPort;
    long serverAddressHigh;
    long serverAddressLow;
    int serverPort;

    final byte[] clientText = new byte[MAX_ENDPOINT_TEXT];
    int clientTextLength;
    final byte[] serverText = new byte[MAX_ENDPOINT_TEXT];
    int serverTextLength;

    long firstSeenNanos;
    long lastSeenNanos;
    long packetsFromClient;
    long packetsFromServer;
    long bytesFromClient;
    long bytesFromServer;

    private Object attachment;

    // Owned by the FlowTable: the reassemblers are made once with the pooled flow and kept.
    StreamReassembler clientStream;
    StreamReassembler serverStream;
    TcpFlow lruNewer;
    TcpFlow lruOlder;
    int hash;
    boolean handshakeSeen;

    StreamReassembler stream(final boolean fromClient) {
        return fromClient ? clientStream : serverStream;
    }

    /** Forgets the connection so the pooled object can carry the next one. */
    void recycle() {
        ipVersion = 0;
        clientAddressHigh = clientAddressLow = 0;
        clientPort = 0;
        serverAddressHigh = serverAddressLow = 0;
        serverPort = 0;
        clientTextLength = serverTextLength = 0;
        firstSeenNanos = lastSeenNanos = 0;
        packetsFromClient = packetsFromServer = 0;
        bytesFromClient = bytesFromServer = 0;
        attachment = null;
        lruNewer = lruOlder = null;
        hash = 0;
        handshakeSeen = false;
        if (clientStream != null) {
            clientStream.reset();
            serverStream.reset();
        }
    }

    public int ipVersion() {
        return ipVersion;
    }

    public long clientAddressHigh() {
        return clientAddressHigh;
    }

    public long clientAddressLow() {
        return clientAddressLow;
    }

    public int clientPort() {
        return clientPort;
    }

    public long serverAddressHigh() {
        return serverAddressHigh;
    }

    public long serverAddressLow() {
        return serverAddressLow;
    }

    public int serverPort() {
        return serverPort;
    }

    /** UTF-8 text of {@code client_ip:port} (IPv6 in brackets), in {@link #clientText()}[0, length). */
    public byte[] clientText() {
        return clientText;
    }

    public int clientTextLength() {
        return clientTextLength;
    }

    public byte[] serverText() {
        return serverText;
    }

    public int serverTextLength() {
        return serverTextLength;
    }

    public long firstSeenNanos() {
        return firstSeenNanos;
    }

    public long lastSeenNanos() {
        return lastSeenNanos;
    }

    /** TCP payload bytes and segments seen per direction (retransmissions included: wire truth). */
    public long packetsFromClient() {
        return packetsFromClient;
    }

    public long packetsFromServer() {
        return packetsFromServer;
    }

    public long bytesFromClient() {
        return bytesFromClient;
    }

    public long bytesFromServer() {
        return bytesFromServer;
    }

    /** The listener's per-flow state (the MySQL connection), set in {@code onFlowOpen}. */
    public Object attachment() {
        return attachment;
    }

    public void attach(final Object attachment) {
        this.attachment = attachment;
    }
}
