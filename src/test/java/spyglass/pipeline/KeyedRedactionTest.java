package spyglass.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import spyglass.mysql.LiteralKey;
import spyglass.mysql.MysqlConversationTracker;
import spyglass.output.CaptureFileWriter;

/**
 * One key per capture: every worker's redactor holds the capture's key, so a value seen on two
 * connections hashed to different workers gives the same token.
 */
class KeyedRedactionTest {
    @Test
    void everyWorkerGetsTheCapturesOneKey() {
        final PipelineOptions options = new PipelineOptions();
        options.workers = 3;
        options.workerRingBytes = PipelineOptions.MIN_WORKER_RING_BYTES;
        final LiteralKey key = LiteralKey.random();
        options.mysql.literalKey = key;
        try (CaptureFileWriter writer = CaptureFileWriter.toStream(new ByteArrayOutputStream());
             Pipeline pipeline = new Pipeline(options, writer)) {
            for (int w = 0; w < options.workers; w++) {
                final MysqlConversationTracker tracker = pipeline.worker(w).conversations();
                assertTrue(tracker.redactsKeyed(), "worker " + w);
                assertSame(key, tracker.literalKey(), "worker " + w);
                assertTrue(tracker.literalKey().sameKey(pipeline.worker(0).conversations().literalKey()), "worker " + w);
            }
        }
    }

    @Test
    void plainCapturesKeyNoWorker() {
        final PipelineOptions options = new PipelineOptions();
        options.workers = 2;
        options.workerRingBytes = PipelineOptions.MIN_WORKER_RING_BYTES;
        try (CaptureFileWriter writer = CaptureFileWriter.toStream(new ByteArrayOutputStream());
             Pipeline pipeline = new Pipeline(options, writer)) {
            for (int w = 0; w < options.workers; w++) {
                assertFalse(pipeline.worker(w).conversations().redactsKeyed(), "worker " + w);
                assertNull(pipeline.worker(w).conversations().literalKey(), "worker " + w);
            }
        }
    }
}
