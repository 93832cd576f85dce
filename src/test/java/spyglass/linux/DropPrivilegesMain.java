package spyglass.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import spyglass.source.AfPacketOptions;
import spyglass.source.AfPacketSource;
import spyglass.source.CaptureException;

/**
 * Run by PrivilegesTest in a child JVM (as root): opens a capture ring, drops to the user named in
 * args[0] with extra threads running, then prints every thread's ids from /proc and whether the
 * ring still works and a new socket is refused.
 */
public final class DropPrivilegesMain {
    private DropPrivilegesMain() {
    }

    public static void main(final String[] args) throws Exception {
        final CountDownLatch stop = new CountDownLatch(1);
        for (int i = 0; i < 3; i++) {
            final Thread t = new Thread(() -> {
                try {
                    stop.await();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "waiter-" + i);
            t.setDaemon(true);
            t.start();
        }
        try (AfPacketSource source = AfPacketSource.open(AfPacketOptions.of("lo", 9))) {
            final Privileges.Account account = Privileges.dropTo(args[0]);
            System.out.println("dropped to " + account);
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (final Path task : tasks.toList()) {
                    final Path status = task.resolve("status");
                    if (!Files.exists(status)) {
                        continue; // a thread that ended meanwhile
                    }
                    for (final String line : Files.readAllLines(status)) {
                        if (line.startsWith("Uid:") || line.startsWith("Gid:") || line.startsWith("Groups:")) {
                            System.out.println("task " + task.getFileName() + " " + line.replace('\t', ' ').trim());
                        }
                    }
                }
            }
            System.out.println("poll " + source.poll((b, o, c, l, t, k) -> { }, 1));
            try {
                AfPacketSource.open(AfPacketOptions.of("lo", 9)).close();
                System.out.println("reopen allowed");
            } catch (final CaptureException e) {
                System.out.println("reopen refused: " + e.getMessage());
            }
        } finally {
            stop.countDown();
        }
    }
}
