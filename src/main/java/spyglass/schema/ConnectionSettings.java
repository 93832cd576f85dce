package spyglass.schema;

import java.time.Duration;

/**
 * Where and as whom the schema connection goes. The password is held as characters so it can be
 * wiped once the connection is made; it never comes from the command line (a process list shows
 * that to every user of the host).
 */
public record ConnectionSettings(String host, int port, String user, char[] password, Duration connectTimeout,
                                 Duration queryTimeout) {
    @Override
    public String toString() {
        return user + "@" + host + ":" + port; // never the password
    }
}
