package spyglass.mysql;

import org.agrona.DirectBuffer;

/**
 * Receives a logical packet's payload as it arrives, when the packet does not lie whole in one
 * chunk: what lets a statement be redacted while it streams instead of being kept whole.
 */
interface PayloadListener {
    /**
     * {@code src[offset, offset + length)} holds payload bytes {@code [payloadOffset,
     * payloadOffset + length)} of the current logical packet (continuation headers excluded);
     * calls come in order, from payload offset 0.
     */
    void onPayload(DirectBuffer src, int offset, int length, long payloadOffset);
}
