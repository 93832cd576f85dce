package spyglass.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import spyglass.testing.MysqlWire;

class PacketFramerTest {
    @Test
    void framesPacketsSplitAtEveryByteIncludingTheHeader() {
        final byte[] wire = MysqlWire.concat(MysqlWire.packet(0, new byte[] {3, 'a', 'b'}), MysqlWire.packet(1, new byte[0]),
            MysqlWire.packet(7, new byte[] {9}));
        final PacketFramer f = new PacketFramer(1024);
        final UnsafeBuffer b = new UnsafeBuffer(wire);
        final StringBuilder seen = new StringBuilder();
        for (int i = 0; i < wire.length; i++) {
            final int n = f.feed(b, i, 1, 100 + i);
            assertEquals(1, n);
            if (f.complete()) {
                seen.append(f.firstSequence()).append(':').append(f.payloadLength()).append(':')
                    .append(f.keptLength()).append(':').append(f.wireBytes()).append(':')
                    .append(f.firstTimestamp()).append('-').append(f.lastTimestamp()).append(' ');
                f.next();
            }
        }
        // first packet: bytes 0..6 (ts 100..106); second: 7..10; third: 11..15
        assertEquals("0:3:3:7:100-106 1:0:0:4:107-110 7:1:1:5:111-115 ", seen.toString());
        assertTrue(f.atPacketBoundary());
    }

    @Test
    void stopsAtEachPacketEndWithinOneChunk() {
        final byte[] wire = MysqlWire.concat(MysqlWire.packet(0, new byte[] {1, 2}), MysqlWire.packet(1, new byte[] {3}));
        final PacketFramer f = new PacketFramer(1024);
        final UnsafeBuffer b = new UnsafeBuffer(wire);
        assertEquals(6, f.feed(b, 0, wire.length, 5));
        assertTrue(f.complete());
        assertEquals(1, f.firstByte());
        f.next();
        assertEquals(5, f.feed(b, 6, wire.length - 6, 6));
        assertTrue(f.complete());
        assertEquals(3, f.firstByte());
        assertEquals(1, f.firstSequence());
    }

    @Test
    void joins16MegabyteContinuationsAndKeepsABoundedPrefix() {
        final byte[] payload = new byte[0xFFFFFF + 10];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        final byte[] wire = MysqlWire.packets(0, payload);
        assertEquals(payload.length + 8, wire.length);
        final PacketFramer f = new PacketFramer(100);
        final UnsafeBuffer b = new UnsafeBuffer(wire);
        int off = 0;
        long ts = 0;
        while (!f.complete()) {
            final int n = f.feed(b, off, Math.min(1_000_000, wire.length - off), ts++);
            off += n;
        }
        assertEquals(wire.length, off);
        assertEquals(payload.length, f.payloadLength());
        assertEquals(100, f.keptLength());
        assertEquals(wire.length, f.wireBytes());
        assertEquals(2, f.physicalPackets());
        assertEquals(0, f.firstSequence());
        assertEquals(1, f.lastSequence());
        assertEquals(0, f.firstTimestamp());
        assertEquals(ts - 1, f.lastTimestamp());
        for (int i = 0; i < 100; i++) {
            assertEquals((byte) i, f.kept().getByte(i));
        }
    }

    @Test
    void exactMultipleOf16MegabytesEndsWithAnEmptyPacket() {
        final byte[] payload = new byte[0xFFFFFF];
        final byte[] wire = MysqlWire.packets(3, payload);
        assertEquals(payload.length + 8, wire.length);
        final PacketFramer f = new PacketFramer(10);
        final int n = f.feed(new UnsafeBuffer(wire), 0, wire.length, 1);
        assertEquals(wire.length, n);
        assertTrue(f.complete());
        assertEquals(0xFFFFFF, f.payloadLength());
        assertEquals(3, f.firstSequence());
        assertEquals(4, f.lastSequence());
    }

    @Test
    void resetForgetsAHalfReadHeader() {
        final PacketFramer f = new PacketFramer(64);
        final byte[] wire = MysqlWire.packet(0, new byte[] {1});
        f.feed(new UnsafeBuffer(wire), 0, 2, 1);
        assertFalse(f.atPacketBoundary());
        f.reset();
        assertTrue(f.atPacketBoundary());
        f.feed(new UnsafeBuffer(wire), 0, wire.length, 2);
        assertTrue(f.complete());
        assertEquals(1, f.payloadLength());
    }

    @Test
    void keptBufferGrowsUpToItsCap() {
        final byte[] payload = new byte[5000];
        payload[4999] = 42;
        final byte[] wire = MysqlWire.packet(0, payload);
        final PacketFramer f = new PacketFramer(8000);
        f.feed(new UnsafeBuffer(wire), 0, wire.length, 1);
        assertEquals(5000, f.keptLength());
        assertEquals(42, f.kept().getByte(4999));
    }
}
