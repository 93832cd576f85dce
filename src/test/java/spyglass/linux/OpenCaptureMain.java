package spyglass.linux;

import spyglass.source.AfPacketOptions;
import spyglass.source.AfPacketSource;
import spyglass.source.CaptureException;

/** Run by PrivilegesTest as an unprivileged child: what a user without CAP_NET_RAW sees (stderr, exit 2). */
public final class OpenCaptureMain {
    private OpenCaptureMain() {
    }

    public static void main(final String[] args) {
        try (AfPacketSource source = AfPacketSource.open(AfPacketOptions.of(args[0], 3306))) {
            System.out.println("opened " + source.description());
        } catch (final CaptureException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
