package spyglass.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/** A test handler that copies every frame it is given, so tests can compare what was delivered. */
final class Frames implements FrameHandler {
    record Frame(byte[] bytes, int capturedLength, int originalLength, long timestampNanos, int linkType) {
    }

    final List<Frame> list = new ArrayList<>();

    @Override
    public void onFrame(final DirectBuffer frame, final int offset, final int capturedLength, final int originalLength,
                        final long timestampNanos, final int linkType) {
        final byte[] bytes = new byte[capturedLength];
        frame.getBytes(offset, bytes);
        list.add(new Frame(bytes, capturedLength, originalLength, timestampNanos, linkType));
    }

    Frame get(final int index) {
        return list.get(index);
    }

    int size() {
        return list.size();
    }

    /** Polls until the end, {@code limit} at a time; returns the number of polls that delivered. */
    static Frames drain(final PacketSource source, final int limit) {
        final Frames frames = new Frames();
        int result;
        while ((result = source.poll(frames, limit)) != -1) {
            if (result > limit || result < 0) {
                throw new AssertionError("poll returned " + result + " for limit " + limit);
            }
        }
        return frames;
    }

    static void assertFrame(final Frame frame, final byte[] bytes, final long timestampNanos, final int linkType) {
        assertArrayEquals(bytes, frame.bytes());
        assertEquals(bytes.length, frame.capturedLength());
        assertEquals(timestampNanos, frame.timestampNanos());
        assertEquals(linkType, frame.linkType());
    }
}
