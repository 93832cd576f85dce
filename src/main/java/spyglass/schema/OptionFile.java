package spyglass.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MySQL option file in the {@code ~/.my.cnf} format, as the {@code mysql} and {@code mariadb}
 * clients read it for {@code --defaults-file}: {@code [group]} headers, {@code key=value} or bare
 * {@code key} lines, {@code #} and {@code ;} comments, values in single or double quotes with the
 * clients' backslash escapes, and option names where {@code -} and {@code _} are the same. Only the
 * client groups are read ({@code [client]}, {@code [mysql]}, {@code [mariadb-client]},
 * {@code [client-mariadb]}, later ones winning); {@code !include} lines are reported, not followed.
 */
public final class OptionFile {
    private static final List<String> CLIENT_GROUPS = List.of("client", "client-mariadb", "mysql", "mariadb-client");

    private final Map<String, String> options;
    private final List<String> notes;

    private OptionFile(final Map<String, String> options, final List<String> notes) {
        this.options = options;
        this.notes = notes;
    }

    /** Reads {@code file}; a line it cannot read is an error naming the file and the line. */
    public static OptionFile read(final Path file) throws IOException {
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (final java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot read option file " + file + ": no such file"
                + (file.toString().startsWith("~") ? " (the shell expands ~ only at the start of a word: write "
                + "--defaults-file ~/x.cnf with a space, or use $HOME)" : ""));
        } catch (final java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot read option file " + file + ": permission denied");
        } catch (final java.nio.file.FileSystemException e) {
            throw new IOException("cannot read option file " + file + ": "
                + (e.getReason() != null ? e.getReason() : e.getMessage()));
        } catch (final java.nio.charset.MalformedInputException e) {
            throw new IOException("cannot read option file " + file + ": it is not UTF-8 text");
        } catch (final IOException e) {
            throw new IOException("cannot read option file " + file + ": " + e.getMessage()); // e.g. a directory
        }
        final Map<String, Map<String, String>> groups = new LinkedHashMap<>();
        final List<String> notes = new ArrayList<>();
        Map<String, String> group = null;
        for (int n = 0; n < lines.size(); n++) {
            final String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("!")) {
                notes.add(file + ":" + (n + 1) + ": '" + line + "' is not followed");
                continue;
            }
            if (line.startsWith("[")) {
                final int close = line.indexOf(']');
                if (close < 0) {
                    throw new IOException(file + ":" + (n + 1) + ": a group header needs its ']'");
                }
                group = groups.computeIfAbsent(line.substring(1, close).strip().toLowerCase(), k -> new LinkedHashMap<>());
                continue;
            }
            if (group == null) {
                throw new IOException(file + ":" + (n + 1) + ": an option before any [group]");
            }
            final int eq = line.indexOf('=');
            final String name = (eq < 0 ? line : line.substring(0, eq)).strip().replace('_', '-').toLowerCase();
            group.put(name, eq < 0 ? "" : value(line.substring(eq + 1).strip(), file, n + 1));
        }
        final Map<String, String> client = new LinkedHashMap<>();
        for (final String g : CLIENT_GROUPS) {
            client.putAll(groups.getOrDefault(g, Map.of()));
        }
        return new OptionFile(client, notes);
    }

    /** A value: quoted (the quotes go, escapes are read) or bare (a trailing comment goes). */
    private static String value(final String raw, final Path file, final int line) throws IOException {
        if (raw.startsWith("'") || raw.startsWith("\"")) {
            final char quote = raw.charAt(0);
            final StringBuilder sb = new StringBuilder();
            for (int i = 1; i < raw.length(); i++) {
                final char c = raw.charAt(i);
                if (c == quote) {
                    return sb.toString();
                }
                if (c == '\\' && i + 1 < raw.length()) {
                    final char e = raw.charAt(++i);
                    sb.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        case 'b' -> '\b';
                        case 's' -> ' ';
                        default -> e;
                    });
                } else {
                    sb.append(c);
                }
            }
            throw new IOException(file + ":" + line + ": a quoted value needs its closing " + quote);
        }
        final int comment = raw.indexOf(" #");
        return (comment < 0 ? raw : raw.substring(0, comment)).strip();
    }

    /** The client groups' value of {@code name} ({@code -} or {@code _}), or null. */
    public String get(final String name) {
        return options.get(name.replace('_', '-').toLowerCase());
    }

    /** What was read but not acted on ({@code !include}), to tell the user. */
    public List<String> notes() {
        return notes;
    }
}
