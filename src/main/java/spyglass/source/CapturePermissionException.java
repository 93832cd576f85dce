package spyglass.source;

/** The process may not open a capture socket (it lacks CAP_NET_RAW); the message says what to run instead. */
public final class CapturePermissionException extends CaptureException {
    private static final long serialVersionUID = 1L;

    public CapturePermissionException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
