package spyglass.event;

/** Why a connection's record ended, as written in {@code conn_close.reason}. */
public enum CloseReason {
    QUIT("quit"),
    FIN("fin"),
    RST("rst"),
    IDLE("idle"),
    EVICTED("evicted"),
    END_OF_CAPTURE("end_of_capture");

    private final String jsonName;

    CloseReason(final String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }
}
