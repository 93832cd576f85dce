package spyglass.tcp;

/** Why the flow table let go of a flow. */
public enum FlowCloseReason {
    /** Both directions sent FIN (or one did and the other went quiet). */
    FIN,
    /** A RST was seen. */
    RST,
    /** No packet for longer than the idle timeout. */
    IDLE,
    /** The table was full and this was the least recently used flow. */
    EVICTED,
    /** The capture ended with the flow still open. */
    END_OF_CAPTURE
}
