package spyglass.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent reading of a capture: tcpdump's own list of data-carrying packets, with their
 * timestamps and directions. Tests compare spyglass's latencies against it.
 */
public final class TcpdumpTimeline {
    /** One TCP segment with payload, as tcpdump printed it. */
    public record Packet(long micros, boolean fromClient, int length, int clientPort) {
    }

    private static final Pattern LINE = Pattern.compile(
        "^(\\d+)\\.(\\d{6})\\d* IP6? \\S+\\.(\\d+) > \\S+\\.(\\d+): .* length (\\d+)");

    private final List<Packet> packets;

    private TcpdumpTimeline(final List<Packet> packets) {
        this.packets = packets;
    }

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/tcpdump")) || Files.isExecutable(Path.of("/usr/sbin/tcpdump"));
    }

    public static TcpdumpTimeline of(final Path pcap, final int serverPort) throws IOException, InterruptedException {
        final String tcpdump = Files.isExecutable(Path.of("/usr/bin/tcpdump")) ? "/usr/bin/tcpdump" : "/usr/sbin/tcpdump";
        final Process p = new ProcessBuilder(tcpdump, "-r", pcap.toString(), "-tt", "-nn", "--time-stamp-precision=nano")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tcpdump -r " + pcap + " failed");
        }
        final List<Packet> packets = new ArrayList<>();
        for (final String line : out.split("\n")) {
            final Matcher m = LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            final int length = Integer.parseInt(m.group(5));
            if (length == 0) {
                continue;
            }
            final long micros = Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2));
            final int src = Integer.parseInt(m.group(3));
            final int dst = Integer.parseInt(m.group(4));
            final boolean fromClient = dst == serverPort;
            packets.add(new Packet(micros, fromClient, length, fromClient ? src : dst));
        }
        return new TcpdumpTimeline(packets);
    }

    public List<Packet> packets() {
        return packets;
    }

    /** Index of the client packet sent at {@code micros}, or -1. */
    public int clientPacketAt(final long micros) {
        return clientPacketAt(micros, -1);
    }

    /** Index of the packet that client port ({@code -1}: any) sent at {@code micros}, or -1. */
    public int clientPacketAt(final long micros, final int clientPort) {
        for (int i = 0; i < packets.size(); i++) {
            final Packet p = packets.get(i);
            if (p.fromClient() && p.micros() == micros && (clientPort < 0 || p.clientPort() == clientPort)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The response to the request whose packets start at index {@code request}: the server packets
     * after the request's last packet, up to the client's next packet. Returns
     * {lastRequestMicros, firstResponseMicros, lastResponseMicros}, or null when there is no response.
     */
    public long[] exchange(final int request) {
        // Only this connection's packets: others interleave with it in time.
        final int port = packets.get(request).clientPort();
        final List<Packet> own = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < packets.size(); i++) {
            if (packets.get(i).clientPort() == port) {
                if (i == request) {
                    start = own.size();
                }
                own.add(packets.get(i));
            }
        }
        int i = start;
        while (i + 1 < own.size() && own.get(i + 1).fromClient()) {
            i++;
        }
        final long lastRequest = own.get(i).micros();
        if (i + 1 >= own.size()) {
            return null;
        }
        final long first = own.get(i + 1).micros();
        long last = first;
        for (int j = i + 1; j < own.size() && !own.get(j).fromClient(); j++) {
            last = own.get(j).micros();
        }
        return new long[] {lastRequest, first, last};
    }
}
