package spyglass.schema;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Resolves the schema connection's settings the way the {@code mysql} client does, minus the
 * command-line password: options given on the command line win; then the option file of
 * {@code --defaults-file}; the password from {@code MYSQL_PWD}, else that file, else a prompt on
 * the terminal with no echo.
 */
public final class Credentials {
    private Credentials() {
    }

    /**
     * @param host         from the command line, or null to take the option file's or the default
     * @param port         likewise
     * @param user         likewise
     * @param defaultsFile {@code --defaults-file}, or null
     * @param environment       the process environment ({@code MYSQL_PWD})
     * @param console           the terminal to prompt on, or null when there is none
     * @throws IllegalArgumentException naming what to do when no password can be had
     */
    public static ConnectionSettings resolve(final String host, final Integer port, final String user,
                                             final Path defaultsFile, final Map<String, String> environment,
                                             final Console console, final Duration connectTimeout,
                                             final Duration queryTimeout) throws IOException {
        return resolve(host, port, 3306, null, user, defaultsFile, environment, console, connectTimeout, queryTimeout);
    }

    /**
     * As above, with the port to use when neither the command line nor the option file gives one,
     * and a Unix socket: {@code socket} from the command line, else the option file's {@code socket}
     * when no host was given or the file's host is {@code localhost} (as the {@code mysql} client
     * reads it).
     */
    public static ConnectionSettings resolve(final String host, final Integer port, final int defaultPort,
                                             final Path socket, final String user, final Path defaultsFile,
                                             final Map<String, String> environment, final Console console,
                                             final Duration connectTimeout, final Duration queryTimeout)
        throws IOException {
        final OptionFile file = defaultsFile != null ? OptionFile.read(defaultsFile) : null;
        final String h = host != null ? host : file != null && file.get("host") != null ? file.get("host") : "127.0.0.1";
        final int p = port != null ? port : file != null && file.get("port") != null ? parsePort(file.get("port"), defaultsFile) : defaultPort;
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is not a TCP port (1 to 65535)");
        }
        String u = user != null ? user : file != null ? file.get("user") : null;
        if (u == null) {
            u = environment.getOrDefault("USER", "root");
        }
        char[] password = null;
        if (environment.get("MYSQL_PWD") != null) {
            password = environment.get("MYSQL_PWD").toCharArray();
        } else if (file != null && file.get("password") != null) {
            password = file.get("password").toCharArray();
        } else if (console != null) {
            password = console.readPassword("Password for %s@%s:%d: ", u, h, p);
        }
        if (password == null) {
            throw new IllegalArgumentException("no password for " + u + "@" + h + ":" + p
                + ": set MYSQL_PWD, give --defaults-file with a [client] password, or run on a terminal to be asked");
        }
        Path unix = socket;
        if (unix == null && host == null && file != null && file.get("socket") != null
            && (file.get("host") == null || "localhost".equals(file.get("host")))) {
            unix = Path.of(file.get("socket"));
        }
        return new ConnectionSettings(unix != null ? "localhost" : h, p, unix, u, password, connectTimeout, queryTimeout);
    }

    private static int parsePort(final String value, final Path file) throws IOException {
        try {
            return Integer.parseInt(value.strip());
        } catch (final NumberFormatException e) {
            throw new IOException(file + ": port=" + value + " is not a number");
        }
    }
}
