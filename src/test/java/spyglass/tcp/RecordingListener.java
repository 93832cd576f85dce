package spyglass.tcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/** Logs every call as a short string, and keeps each direction's reassembled stream. */
final class RecordingListener implements TcpFlowListener {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream client = new ByteArrayOutputStream();
    final ByteArrayOutputStream server = new ByteArrayOutputStream();
    final List<Long> dataTimestamps = new ArrayList<>();
    boolean logData = true;
    TcpFlow lastOpened;

    static String text(final byte[] bytes, final int length) {
        return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }

    @Override
    public void onFlowOpen(final TcpFlow flow, final boolean handshakeSeen, final long timestampNanos) {
        lastOpened = flow;
        events.add("open " + text(flow.clientText(), flow.clientTextLength()) + ">"
                + text(flow.serverText(), flow.serverTextLength()) + (handshakeSeen ? " handshake" : " midstream"));
    }

    @Override
    public void onData(final TcpFlow flow, final boolean fromClient, final DirectBuffer buffer, final int offset,
                       final int length, final long timestampNanos) {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        (fromClient ? client : server).writeBytes(bytes);
        dataTimestamps.add(timestampNanos);
        if (logData) {
            events.add("data " + (fromClient ? "C " : "S ") + new String(bytes, StandardCharsets.US_ASCII));
        }
    }

    @Override
    public void onGap(final TcpFlow flow, final boolean fromClient, final long missingBytes, final long timestampNanos) {
        events.add("gap " + (fromClient ? "C " : "S ") + missingBytes);
        final ByteArrayOutputStream stream = fromClient ? client : server;
        for (long i = 0; i < missingBytes; i++) {
            stream.write('#');
        }
    }

    @Override
    public void onFlowClose(final TcpFlow flow, final FlowCloseReason reason, final long timestampNanos) {
        events.add("close " + text(flow.clientText(), flow.clientTextLength()) + " " + reason);
    }

    String clientStream() {
        return client.toString(StandardCharsets.US_ASCII);
    }

    String serverStream() {
        return server.toString(StandardCharsets.US_ASCII);
    }

    List<String> take() {
        final List<String> copy = new ArrayList<>(events);
        events.clear();
        return copy;
    }
}
