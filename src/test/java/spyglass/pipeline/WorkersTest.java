package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spyglass.cli.Main;
import spyglass.event.CaptureStats;
import spyglass.output.CaptureFileWriter;
import spyglass.packet.AddressFormat;
import spyglass.packet.FlowHash;
import spyglass.packet.LinkType;
import spyglass.source.FrameHandler;
import spyglass.testing.CaptureFile;
import spyglass.testing.FrameBuilder;

/** The threaded pipeline: the number of workers changes nothing but the order across connections. */
class WorkersTest {
    @TempDir
    Path tmp;

    /** Each connection's records, in its own order, without the capture-wide lines. */
    private static Map<String, List<JsonNode>> byConnection(final CaptureFile capture) {
        final Map<String, List<JsonNode>> out = new TreeMap<>();
        for (final JsonNode r : capture.records()) {
            final String type = r.path("type").asText();
            if (type.equals("conn") || type.equals("query") || type.equals("conn_close")) {
                out.computeIfAbsent(r.path("conn").asText(), k -> new ArrayList<>()).add(r);
            }
        }
        return out;
    }

    private static JsonNode endCounters(final CaptureFile capture) {
        final ObjectNode end = capture.only("capture_end").deepCopy();
        end.remove("ts");
        return end;
    }

    @Test
    void oneTwoAndThreeWorkersWriteTheSameRecordsPerConnection() {
        final Path pcap = PipelineAllocationTest.workload(tmp.resolve("w.pcap"), 30_000, 0);
        final CaptureFile one = PipelineRead.read(pcap, "--workers", "1");
        final Map<String, List<JsonNode>> expected = byConnection(one);
        assertEquals(40, expected.size());
        for (final String workers : List.of("2", "3")) {
            final Path copy = tmp.resolve("w" + workers + ".pcap");
            try {
                java.nio.file.Files.copy(pcap, copy);
            } catch (final java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            final CaptureFile many = PipelineRead.read(copy, "--workers", workers);
            assertEquals(expected, byConnection(many), workers + " workers");
            assertEquals(endCounters(one), endCounters(many), workers + " workers: capture_end");
            assertEquals(one.records().size(), many.records().size());
        }
        // The workload really was spread: with 40 connections both workers of two get some.
        final Set<Integer> workersUsed = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            workersUsed.add(FlowHash.symmetric(0, AddressFormat.ipv4MappedLow(0x0A01_0000 | (1 + i)), 30_000 + i,
                0, AddressFormat.ipv4MappedLow(0x0A00_0002), 3306) & 1);
        }
        assertEquals(Set.of(0, 1), workersUsed);
    }

    /** One 1 MiB worker ring that nobody empties: exactly the segments that fit are taken, the rest counted. */
    @Test
    void aFullRingDropsAndCountsWhenTheCaptureMustNotWait() {
        final PipelineOptions options = new PipelineOptions();
        options.backpressure = Backpressure.DROP;
        options.workerRingBytes = PipelineOptions.MIN_WORKER_RING_BYTES;
        final int payload = 1000;
        final byte[] frame = FrameBuilder.tcp4("10.0.0.1", 40_000, "10.0.0.2", 3306).seq(1).ack(1)
            .flags(FrameBuilder.ACK | FrameBuilder.PSH).payload(new byte[payload]).ethernet();
        try (CaptureFileWriter writer = CaptureFileWriter.toStream(new ByteArrayOutputStream());
             Pipeline pipeline = new Pipeline(options, writer)) {
            // Not started: the worker thread does not exist, so the ring only fills.
            final FrameHandler capture = pipeline.frameHandler();
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            // A record is its 8-byte ring header, 64 bytes of fields and the payload, 8-aligned.
            final int recordBytes = (8 + SegmentRecord.HEADER_LENGTH + payload + 7) & ~7;
            final int fit = PipelineOptions.MIN_WORKER_RING_BYTES / recordBytes;
            final int frames = 2 * fit;
            for (int i = 0; i < frames; i++) {
                capture.onFrame(buffer, 0, frame.length, frame.length, 1_000_000_000L + i, LinkType.ETHERNET);
            }
            final CaptureStats s = pipeline.snapshot();
            assertEquals(frames, s.packets);
            assertEquals(frames - fit, s.ringDrops);
        }
    }

    /** The writer thread fails (a full disk): the read stops with the cause, it does not hang. */
    @Test
    void aWriterThatFailsStopsTheReadWithItsCause() {
        final Path pcap = PipelineAllocationTest.workload(tmp.resolve("f.pcap"), 31_000, 0);
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream savedErr = System.err;
        final int status;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            status = Main.run("read", "-q", "-o", "/dev/full", pcap.toString());
        } finally {
            System.setErr(savedErr);
        }
        final String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, message);
        assertTrue(message.contains("/dev/full") && message.contains("No space left on device"), message);
    }

    @Test
    void badWorkerCountsAreRefusedWithTheFix() {
        final PipelineOptions options = new PipelineOptions();
        options.workers = 0;
        assertThrows(IllegalArgumentException.class, options::validate);
        options.workers = 1;
        options.workerRingBytes = 3 << 20;
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, options::validate);
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
    }
}
