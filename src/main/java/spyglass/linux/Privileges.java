package spyglass.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Gives up root once the capture socket is open, like {@code tcpdump -Z USER}: the open socket and
 * its mapped ring stay usable, nothing else root could do remains possible.
 *
 * <p>The user is looked up in {@code /etc/passwd} (read as a file: no NSS, no JNI), so users that
 * only exist in LDAP and the like are not found. The groups become the user's primary group alone.
 * glibc's set-id wrappers apply the change to every thread of the JVM, not only the caller.
 */
public final class Privileges {
    private static final Path PASSWD = Path.of("/etc/passwd");

    private Privileges() {
    }

    /** A user's ids as /etc/passwd gives them. */
    public record Account(String name, int uid, int gid) {
    }

    /**
     * Switches every thread of the process to {@code user}'s uid and primary gid, with no other group.
     *
     * @throws IllegalArgumentException when the user is not in /etc/passwd
     * @throws IllegalStateException when the switch fails (e.g. the process is not root), saying why
     */
    public static Account dropTo(final String user) {
        final Account account = lookup(PASSWD, user);
        try {
            Libc.setgroups(new int[] {account.gid()});
            Libc.setgid(account.gid());
            Libc.setuid(account.uid());
        } catch (final LinuxException e) {
            throw new IllegalStateException("cannot switch to user " + user + " (uid " + account.uid() + ", gid "
                + account.gid() + "): " + e.getMessage()
                + (e.errno() == Errno.EPERM ? "; only root can switch to another user" : ""), e);
        }
        if (Libc.getuid() != account.uid() || Libc.geteuid() != account.uid()
            || Libc.getgid() != account.gid() || Libc.getegid() != account.gid()) {
            throw new IllegalStateException("switched to user " + user + " but the process still runs as uid "
                + Libc.getuid() + "/" + Libc.geteuid() + ", gid " + Libc.getgid() + "/" + Libc.getegid());
        }
        return account;
    }

    /** Finds {@code user} in a passwd-format file. */
    public static Account lookup(final Path passwd, final String user) {
        if (user == null || user.isEmpty() || user.indexOf(':') >= 0 || user.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("'" + user + "' is not a user name");
        }
        final List<String> lines;
        try {
            lines = Files.readAllLines(passwd, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + passwd + " to look up user " + user, e);
        }
        for (final String line : lines) {
            final String[] fields = line.split(":", -1);
            if (fields.length >= 4 && fields[0].equals(user)) {
                try {
                    return new Account(user, Integer.parseUnsignedInt(fields[2]), Integer.parseUnsignedInt(fields[3]));
                } catch (final NumberFormatException e) {
                    throw new IllegalArgumentException("user " + user + " has a damaged entry in " + passwd + ": " + line, e);
                }
            }
        }
        throw new IllegalArgumentException("no user named " + user + " in " + passwd);
    }
}
