package spyglass.mysql;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import spyglass.tcp.FlowCloseReason;
import spyglass.tcp.TcpFlow;
import spyglass.testing.MysqlWire;

/** A scripted two-way conversation, fed through the tracker in chosen chunkings. */
final class Conversation {
    static final String CLIENT = "10.0.0.1:50000";
    static final String SERVER = "10.0.0.2:3306";
    static final String ID = CLIENT + ">" + SERVER;

    record Step(boolean client, byte[] bytes, long ts, boolean gap) {
    }

    final List<Step> steps = new ArrayList<>();
    boolean handshakeSeen = true;
    long openTs = 1;
    FlowCloseReason closeReason = FlowCloseReason.FIN;
    long closeTs = 1_000_000_000L;

    Conversation client(final long ts, final byte[]... wireBytes) {
        steps.add(new Step(true, MysqlWire.concat(wireBytes), ts, false));
        return this;
    }

    Conversation server(final long ts, final byte[]... wireBytes) {
        steps.add(new Step(false, MysqlWire.concat(wireBytes), ts, false));
        return this;
    }

    Conversation gap(final boolean client, final long ts) {
        steps.add(new Step(client, new byte[0], ts, true));
        return this;
    }

    Conversation midstream() {
        handshakeSeen = false;
        return this;
    }

    Conversation close(final FlowCloseReason reason, final long ts) {
        closeReason = reason;
        closeTs = ts;
        return this;
    }

    long totalBytes() {
        long n = 0;
        for (final Step s : steps) {
            n += s.bytes.length;
        }
        return n;
    }

    static TcpFlow flow(final String client, final String server) {
        final TcpFlow flow = new TcpFlow();
        setText(flow, "clientText", "clientTextLength", client);
        setText(flow, "serverText", "serverTextLength", server);
        return flow;
    }

    private static void setText(final TcpFlow flow, final String bytesField, final String lengthField,
                                final String text) {
        try {
            final Field b = TcpFlow.class.getDeclaredField(bytesField);
            final Field l = TcpFlow.class.getDeclaredField(lengthField);
            b.setAccessible(true);
            l.setAccessible(true);
            final byte[] src = text.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(src, 0, (byte[]) b.get(flow), 0, src.length);
            l.setInt(flow, src.length);
        } catch (final ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Feeds every step whole. */
    List<Object> run(final MysqlConversationTracker tracker) {
        return run(tracker, -1, 0);
    }

    /**
     * @param splitAt   a global byte offset at which the step holding it is cut in two (-1: none)
     * @param pieceSize when > 0, every step is fed in pieces of this many bytes
     */
    List<Object> run(final MysqlConversationTracker tracker, final long splitAt, final int pieceSize) {
        final Recorder recorder = (Recorder) tracker.sink;
        recorder.events.clear();
        recorder.connectAttributes.clear();
        final TcpFlow flow = flow(CLIENT, SERVER);
        tracker.onFlowOpen(flow, handshakeSeen, openTs);
        long global = 0;
        for (final Step s : steps) {
            if (s.gap) {
                tracker.onGap(flow, s.client, 100, s.ts);
                continue;
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(s.bytes);
            final int n = s.bytes.length;
            if (pieceSize > 0) {
                for (int off = 0; off < n; off += pieceSize) {
                    tracker.onData(flow, s.client, buffer, off, Math.min(pieceSize, n - off), s.ts);
                }
            } else if (splitAt > global && splitAt < global + n) {
                final int cut = (int) (splitAt - global);
                tracker.onData(flow, s.client, buffer, 0, cut, s.ts);
                tracker.onData(flow, s.client, buffer, cut, n - cut, s.ts);
            } else if (n > 0) {
                tracker.onData(flow, s.client, buffer, 0, n, s.ts);
            }
            global += n;
        }
        tracker.onFlowClose(flow, closeReason, closeTs);
        return new ArrayList<>(recorder.events);
    }

    static MysqlConversationTracker tracker() {
        return tracker(new MysqlOptions());
    }

    static MysqlConversationTracker tracker(final MysqlOptions options) {
        return new MysqlConversationTracker(new Recorder(), options);
    }
}
