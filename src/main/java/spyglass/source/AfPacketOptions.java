package spyglass.source;

import java.util.Arrays;
import spyglass.linux.BpfProgram;
import spyglass.linux.LinuxConstants;

/**
 * How an {@link AfPacketSource} captures. Every value is checked when the options are made, with
 * a message that names the option, the value and what is allowed.
 *
 * @param interfaceName       the interface to capture on; {@code null}, empty or {@code any}: all of them
 * @param ports               the server ports whose TCP traffic the kernel copies into the ring
 * @param blockSize           bytes per ring block, a multiple of the 4 KiB page, at most 64 MiB
 * @param blockCount          blocks in the ring (the ring is blockSize × blockCount bytes, at most 1 GiB)
 * @param frameSize           the kernel's nominal frame slot: a multiple of 16 from 2048 up to blockSize
 *                            (TPACKET_V3 packs frames by their real size; this only sizes the request)
 * @param blockTimeoutMillis  a block that is not full is handed over after this long, so a quiet link
 *                            still delivers promptly; also how long one {@code poll} waits for data
 * @param promiscuous         put the interface in promiscuous mode (only with a named interface)
 */
public record AfPacketOptions(String interfaceName, int[] ports, int blockSize, int blockCount, int frameSize,
                              int blockTimeoutMillis, boolean promiscuous) {
    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    public static final int DEFAULT_BLOCK_COUNT = 64;
    public static final int DEFAULT_FRAME_SIZE = 2048;
    public static final int DEFAULT_BLOCK_TIMEOUT_MILLIS = 10;

    static final int PAGE = 4096;
    static final int MAX_BLOCK_SIZE = 64 << 20;
    static final long MAX_RING = 1L << 30;
    static final int MAX_BLOCK_TIMEOUT_MILLIS = 60_000;
    /** Longest Linux interface name (IFNAMSIZ - 1). */
    static final int MAX_INTERFACE_NAME = 15;

    public AfPacketOptions {
        if (interfaceName != null && (interfaceName.isEmpty() || interfaceName.equals("any"))) {
            interfaceName = null;
        }
        if (interfaceName != null && (interfaceName.length() > MAX_INTERFACE_NAME || interfaceName.indexOf('/') >= 0
            || interfaceName.chars().anyMatch(c -> c <= ' ' || c == ':'))) {
            throw new IllegalArgumentException("'" + interfaceName + "' cannot be a network interface name "
                + "(at most " + MAX_INTERFACE_NAME + " characters, no spaces, '/' or ':')");
        }
        if (ports == null) {
            throw new IllegalArgumentException("the capture needs at least one server port");
        }
        ports = ports.clone();
        BpfProgram.tcpPorts(ports); // the filter's own checks: 1..MAX_PORTS ports, each 1..65535
        if (blockSize < PAGE || blockSize > MAX_BLOCK_SIZE || blockSize % PAGE != 0) {
            throw new IllegalArgumentException("block size " + blockSize + " must be a multiple of " + PAGE
                + " bytes between " + PAGE + " and " + MAX_BLOCK_SIZE);
        }
        if (blockCount < 1 || (long) blockSize * blockCount > MAX_RING) {
            throw new IllegalArgumentException("block count " + blockCount + " must be at least 1, and the ring ("
                + "block size " + blockSize + " × block count) at most " + MAX_RING + " bytes");
        }
        if (frameSize < DEFAULT_FRAME_SIZE || frameSize > blockSize || frameSize % LinuxConstants.TPACKET_ALIGNMENT != 0) {
            throw new IllegalArgumentException("frame size " + frameSize + " must be a multiple of "
                + LinuxConstants.TPACKET_ALIGNMENT + " between " + DEFAULT_FRAME_SIZE + " and the block size " + blockSize);
        }
        if (blockTimeoutMillis < 1 || blockTimeoutMillis > MAX_BLOCK_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("block timeout " + blockTimeoutMillis + " ms must be between 1 and "
                + MAX_BLOCK_TIMEOUT_MILLIS + " ms");
        }
        if (promiscuous && interfaceName == null) {
            throw new IllegalArgumentException("promiscuous mode needs a named interface, not all interfaces");
        }
    }

    /** Defaults (1 MiB × 64 blocks, 10 ms block timeout, not promiscuous) for an interface (null: all) and ports. */
    public static AfPacketOptions of(final String interfaceName, final int... ports) {
        return new AfPacketOptions(interfaceName, ports, DEFAULT_BLOCK_SIZE, DEFAULT_BLOCK_COUNT, DEFAULT_FRAME_SIZE,
            DEFAULT_BLOCK_TIMEOUT_MILLIS, false);
    }

    @Override
    public int[] ports() {
        return ports.clone();
    }

    public AfPacketOptions withBlockSize(final int bytes) {
        return new AfPacketOptions(interfaceName, ports, bytes, blockCount, frameSize, blockTimeoutMillis, promiscuous);
    }

    public AfPacketOptions withBlockCount(final int count) {
        return new AfPacketOptions(interfaceName, ports, blockSize, count, frameSize, blockTimeoutMillis, promiscuous);
    }

    public AfPacketOptions withFrameSize(final int bytes) {
        return new AfPacketOptions(interfaceName, ports, blockSize, blockCount, bytes, blockTimeoutMillis, promiscuous);
    }

    public AfPacketOptions withBlockTimeoutMillis(final int millis) {
        return new AfPacketOptions(interfaceName, ports, blockSize, blockCount, frameSize, millis, promiscuous);
    }

    public AfPacketOptions withPromiscuous(final boolean on) {
        return new AfPacketOptions(interfaceName, ports, blockSize, blockCount, frameSize, blockTimeoutMillis, on);
    }

    /** True when capturing on every interface. */
    public boolean allInterfaces() {
        return interfaceName == null;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof AfPacketOptions o && java.util.Objects.equals(interfaceName, o.interfaceName)
            && Arrays.equals(ports, o.ports) && blockSize == o.blockSize && blockCount == o.blockCount
            && frameSize == o.frameSize && blockTimeoutMillis == o.blockTimeoutMillis && promiscuous == o.promiscuous;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(interfaceName, Arrays.hashCode(ports), blockSize, blockCount, frameSize,
            blockTimeoutMillis, promiscuous);
    }

    @Override
    public String toString() {
        return "AfPacketOptions[interface=" + (interfaceName == null ? "any" : interfaceName) + ", ports="
            + Arrays.toString(ports) + ", blockSize=" + blockSize + ", blockCount=" + blockCount + ", frameSize="
            + frameSize + ", blockTimeoutMillis=" + blockTimeoutMillis + ", promiscuous=" + promiscuous + "]";
    }
}
