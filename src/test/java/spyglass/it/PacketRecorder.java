package spyglass.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump writing every packet of one TCP port on the loopback interface to a pcap file.
 * {@link #start} returns only once tcpdump says it is listening, so nothing sent afterwards is
 * missed; {@link #close} stops it by its pid and waits, so the file is complete.
 */
public final class PacketRecorder implements AutoCloseable {

    private static final long LISTEN_TIMEOUT_SECONDS = 20;
    /** Time for the last packets (FIN, final ACK) to reach tcpdump before it is stopped. */
    private static final long SETTLE_MILLIS = 300;

    private final Process process;
    private final Path file;
    private final StringBuffer stderr = new StringBuffer();
    private boolean closed;

    private PacketRecorder(Process process, Path file) {
        this.process = process;
        this.file = file;
    }

    /** Records {@code tcp port PORT} on lo into {@code file} with nanosecond timestamps. */
    public static PacketRecorder start(Path file, int port) {
        return start(file, "tcp port " + port);
    }

    /** Records packets on lo matching a tcpdump filter expression into {@code file}. */
    public static PacketRecorder start(Path file, String filter) {
        return start(file, "lo", filter, List.of());
    }

    /**
     * Records packets on {@code iface} matching {@code filter} into {@code file}, with tcpdump run
     * through {@code prefix} (e.g. {@code ip netns exec NS}, which execs in place: the pid stays
     * tcpdump's).
     */
    public static PacketRecorder start(Path file, String iface, String filter, List<String> prefix) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Tools.find("tcpdump"), "-i", iface,
                // Immediate mode: in libpcap's default TPACKET_V3 mode packets wait in a ring
                // block for up to a second, and a block not yet handed over is lost on stop.
                "--immediate-mode", "-U", "-s", "0", "-n",
                // A 64 MiB kernel buffer: with sysbench, MariaDB and tcpdump sharing two cores the
                // default 2 MiB overflows and the kernel drops packets before tcpdump sees them.
                "-B", "65536",
                "--time-stamp-precision=nano"));
        if (Tools.isRoot()) {
            cmd.addAll(List.of("-Z", "root")); // otherwise tcpdump drops to user tcpdump and may not write here
        }
        cmd.addAll(List.of("-w", file.toString(), filter));
        Process process;
        try {
            process = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        PacketRecorder recorder = new PacketRecorder(process, file);
        CountDownLatch listening = new CountDownLatch(1);
        Thread reader = new Thread(() -> recorder.drain(listening), "tcpdump-stderr-" + process.pid());
        reader.setDaemon(true);
        recorder.stderrReader = reader;
        reader.start();
        try {
            boolean ok = listening.await(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!ok || !process.isAlive()) {
                recorder.close();
                throw new IllegalStateException("tcpdump did not start listening: " + cmd
                        + "\n--- stderr ---\n" + recorder.stderr);
            }
        } catch (InterruptedException e) {
            recorder.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting tcpdump", e);
        }
        return recorder;
    }

    /**
     * Packets the kernel dropped before tcpdump read them, from tcpdump's closing report (after
     * {@link #close()}); -1 when it printed none.
     */
    public long kernelDrops() {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) packets? dropped by kernel").matcher(stderr());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    public Path file() {
        return file;
    }

    /** What tcpdump printed on stderr so far (after close: includes its packet counts). */
    public String stderr() {
        return stderr.toString();
    }

    private Thread stderrReader;

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process.isAlive()) {
                Thread.sleep(SETTLE_MILLIS);
                // SIGTERM to this pid: tcpdump flushes, closes the file and reports its counts on
                // stderr. Not Process.destroy(), which closes our end of stderr before that report.
                new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (stderrReader != null) {
                stderrReader.join(5_000);
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException("cannot signal tcpdump (pid " + process.pid() + ")", e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void drain(CountDownLatch listening) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                stderr.append(line).append('\n');
                if (line.contains("listening on")) {
                    listening.countDown();
                }
            }
        } catch (IOException e) {
            stderr.append("(stderr read failed: ").append(e.getMessage()).append(")\n");
        } finally {
            listening.countDown(); // exited: let start() see it and fail at once
        }
    }
}
