package spyglass.source;

/** A live capture cannot start or go on: the message says what and what to do about it. */
public class CaptureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CaptureException(final String message) {
        super(message);
    }

    public CaptureException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
