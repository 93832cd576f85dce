package spyglass.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AfPacketOptionsTest {
    private static final AfPacketOptions BASE = AfPacketOptions.of("eth0", 3306);

    @Test
    void defaults() {
        assertEquals(1 << 20, BASE.blockSize());
        assertEquals(64, BASE.blockCount());
        assertEquals(2048, BASE.frameSize());
        assertEquals(10, BASE.blockTimeoutMillis());
        assertEquals(false, BASE.promiscuous());
        assertArrayEquals(new int[] {3306}, BASE.ports());
        assertEquals("eth0", BASE.interfaceName());
        assertNull(AfPacketOptions.of("any", 3306).interfaceName());
        assertNull(AfPacketOptions.of("", 3306).interfaceName());
        assertTrue(AfPacketOptions.of(null, 3306).allInterfaces());
        assertEquals(AfPacketOptions.of("eth0", 3306, 3307), AfPacketOptions.of("eth0", 3306, 3307));
    }

    @Test
    void badValuesAreNamedWithWhatIsAllowed() {
        refused("block size 1000 must be a multiple of 4096 bytes between 4096 and 67108864", () -> BASE.withBlockSize(1000));
        refused("block size 134217728 must be a multiple of 4096 bytes between 4096 and 67108864", () -> BASE.withBlockSize(128 << 20));
        refused("block count 0 must be at least 1, and the ring (block size 1048576 × block count) at most 1073741824 bytes",
            () -> BASE.withBlockCount(0));
        refused("block count 2048 must be at least 1, and the ring (block size 1048576 × block count) at most 1073741824 bytes",
            () -> BASE.withBlockCount(2048));
        refused("frame size 100 must be a multiple of 16 between 2048 and the block size 1048576", () -> BASE.withFrameSize(100));
        refused("frame size 2050 must be a multiple of 16 between 2048 and the block size 1048576", () -> BASE.withFrameSize(2050));
        refused("block timeout 0 ms must be between 1 and 60000 ms", () -> BASE.withBlockTimeoutMillis(0));
        refused("promiscuous mode needs a named interface, not all interfaces",
            () -> AfPacketOptions.of(null, 3306).withPromiscuous(true));
        refused("'a very long interface name' cannot be a network interface name (at most 15 characters, no spaces, '/' or ':')",
            () -> AfPacketOptions.of("a very long interface name", 3306));
        refused("'eth0:1' cannot be a network interface name (at most 15 characters, no spaces, '/' or ':')",
            () -> AfPacketOptions.of("eth0:1", 3306));
        refused("the capture filter needs at least one server port", () -> AfPacketOptions.of("eth0"));
        refused("port 70000 is not a TCP port (1..65535)", () -> AfPacketOptions.of("eth0", 70000));
    }

    private static void refused(final String message, final Executable executable) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, executable).getMessage());
    }
}
