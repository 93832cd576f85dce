package spyglass.tcp;

import org.agrona.DirectBuffer;

/**
 * What a flow's reassembled byte streams are handed to (the MySQL layer, in spyglass).
 *
 * <p>Calls for one flow come from one thread, in stream order per direction. Buffers are views
 * valid only during the call.
 */
public interface TcpFlowListener {
    /**
     * A flow the table has not seen before.
     *
     * @param handshakeSeen true when the SYN was captured, so the stream starts at its beginning;
     *                      false for a connection picked up mid-stream
     */
    void onFlowOpen(TcpFlow flow, boolean handshakeSeen, long timestampNanos);

    /** In-order bytes of one direction. */
    void onData(TcpFlow flow, boolean fromClient, DirectBuffer buffer, int offset, int length, long timestampNanos);

    /**
     * Bytes of one direction that will never arrive (lost before capture, or given up on because
     * the out-of-order budget ran out). The stream continues after them.
     */
    void onGap(TcpFlow flow, boolean fromClient, long missingBytes, long timestampNanos);

    /** The flow is gone; {@code flow} is recycled after this returns. */
    void onFlowClose(TcpFlow flow, FlowCloseReason reason, long timestampNanos);
}
