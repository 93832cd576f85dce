package spyglass.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ~/.my.cnf format as the mysql client reads it, and where the password comes from. */
class OptionFileTest {
    @TempDir
    Path dir;

    private Path file(final String text) throws IOException {
        final Path p = dir.resolve("my.cnf");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void clientGroupsQuotesEscapesAndComments() throws IOException {
        final OptionFile f = OptionFile.read(file("""
            # a comment
            ; another
            [mysqld]
            port = 1
            password = server-side
            [client]
            user = app  # trailing comment
            password = "p#ss \\"quoted\\"\\tword"
            port=3307
            [mysql]
            default_character_set = utf8mb4
            no-auto-rehash
            [mariadb-client]
            user = 'later wins'
            !includedir /etc/mysql/conf.d/
            """));
        assertEquals("later wins", f.get("user"));
        assertEquals("p#ss \"quoted\"\tword", f.get("password"));
        assertEquals("3307", f.get("port"));
        assertEquals("utf8mb4", f.get("default-character-set"));
        assertEquals("", f.get("no_auto_rehash"));
        assertNull(f.get("socket"));
        assertEquals(1, f.notes().size());
        assertTrue(f.notes().get(0).contains("!includedir"), f.notes().toString());
    }

    @Test
    void whatCannotBeReadIsNamedWithItsLine() throws IOException {
        final Path unclosed = file("[client]\npassword = 'secret\n");
        final IOException e = assertThrows(IOException.class, () -> OptionFile.read(unclosed));
        assertTrue(e.getMessage().endsWith(":2: a quoted value needs its closing '"), e.getMessage());
        assertTrue(!e.getMessage().contains("secret"), e.getMessage());
        final Path orphan = file("user = app\n");
        assertTrue(assertThrows(IOException.class, () -> OptionFile.read(orphan)).getMessage().contains(":1: an option before any [group]"));
    }

    @Test
    void thePasswordComesFromMysqlPwdThenTheFileAndNeverNowhere() throws IOException {
        final Path cnf = file("[client]\nuser = fromfile\npassword = filepass\nhost = db1\nport = 3310\n");
        final Duration t = Duration.ofSeconds(5);
        final ConnectionSettings env = Credentials.resolve(null, null, null, cnf, Map.of("MYSQL_PWD", "envpass"), null, t, t);
        assertEquals("envpass", new String(env.password()));
        assertEquals("fromfile@db1:3310", env.toString());
        final ConnectionSettings fromFile = Credentials.resolve("10.0.0.9", 3306, "cli", cnf, Map.of(), null, t, t);
        assertEquals("filepass", new String(fromFile.password()));
        assertEquals("cli@10.0.0.9:3306", fromFile.toString()); // the command line wins over the file
        final IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
            () -> Credentials.resolve(null, null, "app", null, Map.of("USER", "ops"), null, t, t));
        assertTrue(none.getMessage().contains("set MYSQL_PWD"), none.getMessage());
        assertEquals(List.of(), OptionFile.read(cnf).notes());
    }

    @Test
    void aSocketFromTheCommandLineOrFromAFileThatNamesNoOtherHost() throws IOException {
        final Duration t = Duration.ofSeconds(5);
        final Map<String, String> env = Map.of("MYSQL_PWD", "p");
        final Path local = file("[client]\nsocket = /run/mysqld/mysqld.sock\nhost = localhost\n");
        assertEquals("ops@localhost via /run/mysqld/mysqld.sock",
            Credentials.resolve(null, null, 3306, null, "ops", local, env, null, t, t).toString());
        // a host on the command line means TCP to it, as with the mysql client
        assertEquals("ops@10.0.0.9:3306", Credentials.resolve("10.0.0.9", null, 3306, null, "ops", local, env, null, t, t)
            .toString());
        // a file that names another host: its socket is that host's business
        final Path remote = file("[client]\nsocket = /run/mysqld/mysqld.sock\nhost = db2\n");
        assertEquals("ops@db2:3307", Credentials.resolve(null, null, 3307, null, "ops", remote, env, null, t, t).toString());
        // --socket wins over everything
        assertEquals("ops@localhost via /tmp/other.sock", Credentials.resolve("10.0.0.9", 3306, 3306,
            Path.of("/tmp/other.sock"), "ops", remote, env, null, t, t).toString());
    }

    @Test
    void aFileThatCannotBeReadIsSaidInWords() throws IOException {
        final IOException missing = assertThrows(IOException.class, () -> OptionFile.read(dir.resolve("nope.cnf")));
        assertEquals("cannot read option file " + dir.resolve("nope.cnf") + ": no such file", missing.getMessage());
        assertTrue(assertThrows(IOException.class, () -> OptionFile.read(Path.of("~/.my.cnf"))).getMessage()
            .contains("the shell expands ~ only at the start of a word"));
        assertEquals("cannot read option file " + dir + ": Is a directory",
            assertThrows(IOException.class, () -> OptionFile.read(dir)).getMessage());
        final IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> Credentials.resolve(
            "h", 70000, "u", null, Map.of("MYSQL_PWD", "p"), null, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertEquals("port 70000 is not a TCP port (1 to 65535)", port.getMessage());
    }
}
