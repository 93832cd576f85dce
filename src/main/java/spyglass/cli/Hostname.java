package spyglass.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host's name, as {@code hostname} prints it, for {@code capture_start.host}. */
final class Hostname {
    private Hostname() {
    }

    static String get() {
        try {
            final String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (final IOException | RuntimeException ignored) {
            // Not Linux, or /proc not mounted: ask the resolver instead.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (final IOException e) {
            return "unknown";
        }
    }
}
