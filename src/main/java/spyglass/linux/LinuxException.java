package spyglass.linux;

/**
 * A libc call failed: says which call, the errno number, its symbolic name and the C library's
 * text for it, e.g. {@code setsockopt(PACKET_RX_RING) failed: ENOMEM 12 (Cannot allocate memory)}.
 */
public final class LinuxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public LinuxException(final String call, final int errno) {
        super(call + " failed: " + Errno.name(errno) + " " + errno + " (" + Libc.strerror(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed, with the detail that tells it apart, e.g. {@code setsockopt(PACKET_RX_RING)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code EPERM}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
