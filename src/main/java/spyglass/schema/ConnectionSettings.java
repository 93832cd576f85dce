package spyglass.schema;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and as whom the schema connection goes. The password is held as characters so it can be
 * wiped once the connection is made; it never comes from the command line (a process list shows
 * that to every user of the host). With {@code socket} set, host and port are not used.
 */
public record ConnectionSettings(String host, int port, Path socket, String user, char[] password,
                                 Duration connectTimeout, Duration queryTimeout) {
    @Override
    public String toString() {
        return user + "@" + (socket != null ? "localhost via " + socket : host + ":" + port); // never the password
    }
}
