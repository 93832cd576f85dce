package spyglass.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dropping root like tcpdump -Z, and what a user without the capture privilege is told; in child JVMs. */
class PrivilegesTest {
    private static final String JAVA = Path.of(ProcessHandle.current().info().command().orElseThrow()).toString();

    @TempDir
    Path work;

    @Test
    void everyThreadOfTheJvmBecomesTheUserAndTheOpenRingStillWorks() throws Exception {
        final Result result = java(List.of(), List.of(DropPrivilegesMain.class.getName(), "nobody"));
        assertEquals(0, result.exit, result.toString());
        assertTrue(result.out.contains("dropped to Account[name=nobody, uid=65534, gid=65534]"), result.out);
        final List<String> uids = result.out.lines().filter(l -> l.contains(" Uid:")).toList();
        final List<String> gids = result.out.lines().filter(l -> l.contains(" Gid:")).toList();
        final List<String> groups = result.out.lines().filter(l -> l.contains(" Groups:")).toList();
        assertTrue(uids.size() >= 8, "the JVM's own threads and the test's: " + uids.size());
        for (final String line : uids) {
            assertTrue(line.endsWith("Uid: 65534 65534 65534 65534"), line);
        }
        for (final String line : gids) {
            assertTrue(line.endsWith("Gid: 65534 65534 65534 65534"), line);
        }
        for (final String line : groups) {
            assertTrue(line.endsWith("Groups: 65534"), line);
        }
        assertEquals(uids.size(), gids.size());
        assertEquals(uids.size(), groups.size());
        assertTrue(result.out.contains("poll 0"), result.out);
        assertTrue(result.out.contains("reopen refused: capturing needs root or CAP_NET_RAW"), result.out);
    }

    @Test
    void withoutThePrivilegeOneSentenceSaysWhatToRun() throws Exception {
        // The child runs as nobody: it needs a world-readable copy of Agrona (the local Maven repository is root's).
        final Path agrona = Path.of(UnsafeBuffer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path copy = Files.copy(agrona, work.resolve("agrona.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        final List<String> prefix = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        final Result result = java(prefix, List.of(OpenCaptureMain.class.getName(), "lo"), copy);
        assertEquals(2, result.exit, result.toString());
        assertEquals("capturing needs root or CAP_NET_RAW: run `sudo scripts/spyglass capture ...`, or run it as a "
            + "service that has only that capability (systemd: AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN)",
            result.err.strip());
    }

    @Test
    void usersAreLookedUpInPasswd() throws Exception {
        final Path passwd = work.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nmysql:x:101:102:MySQL:/nonexistent:/bin/false\n"
            + "broken:x:abc:1::/:/bin/false\n");
        assertEquals(new Privileges.Account("mysql", 101, 102), Privileges.lookup(passwd, "mysql"));
        assertEquals("no user named nosuch in " + passwd,
            assertThrows(IllegalArgumentException.class, () -> Privileges.lookup(passwd, "nosuch")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Privileges.lookup(passwd, "broken")).getMessage()
            .startsWith("user broken has a damaged entry in " + passwd));
        assertEquals("'a:b' is not a user name",
            assertThrows(IllegalArgumentException.class, () -> Privileges.lookup(passwd, "a:b")).getMessage());
        assertEquals("no user named sg-no-such-user in /etc/passwd",
            assertThrows(IllegalArgumentException.class, () -> Privileges.dropTo("sg-no-such-user")).getMessage());
    }

    private record Result(int exit, String out, String err) {
    }

    private Result java(final List<String> prefix, final List<String> mainAndArgs, final Path... extraClassPath) throws Exception {
        final StringBuilder classPath = new StringBuilder();
        classPath.append(Path.of("target/classes").toAbsolutePath()).append(':').append(Path.of("target/test-classes").toAbsolutePath());
        if (extraClassPath.length == 0) {
            classPath.append(':').append(Path.of(UnsafeBuffer.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        }
        for (final Path path : extraClassPath) {
            classPath.append(':').append(path);
        }
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(JAVA, "-XX:-UsePerfData", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-cp", classPath.toString()));
        command.addAll(mainAndArgs);
        final Process process = new ProcessBuilder(command).directory(work.toFile()).start();
        final CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        final CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child " + command + " did not finish");
        }
        return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static String read(final java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
