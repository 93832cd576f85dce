package spyglass.source;

/** A capture file or stream that cannot be read (further): the message says where and why. */
public final class CaptureFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CaptureFileException(final String message) {
        super(message);
    }

    public CaptureFileException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
