package spyglass.it;

/**
 * A Linux bridge in the root namespace joining the root ends of {@link VethPair}s, so namespaces
 * talk at layer 2 through the root namespace without it routing: no {@code ip_forward}, no root
 * route, no host-wide setting changed. Spanning tree off and no forward delay, so a port forwards
 * the moment it is up. Without an address unless one is added. {@link #close()} deletes it.
 */
public final class VethBridge implements AutoCloseable {

    private final String name;
    private boolean closed;

    private VethBridge(String name) {
        this.name = name;
    }

    /** Creates and brings up a bridge named {@code name} (at most 15 characters; an existing one fails). */
    public static VethBridge create(String name) {
        VethPair.checkName(name);
        NetNs.ipOrThrow("link", "add", "name", name, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        VethBridge bridge = new VethBridge(name);
        try {
            NetNs.ip("link", "set", "dev", name, "addrgenmode", "none"); // best effort, as on veth ends
            NetNs.ipOrThrow("link", "set", "dev", name, "up");
        } catch (RuntimeException e) {
            bridge.close();
            throw e;
        }
        return bridge;
    }

    public String name() {
        return name;
    }

    /** Gives the root namespace an address on the bridge, so the test JVM itself can talk to the ports. */
    public VethBridge address(String cidr) {
        if (cidr.indexOf(':') >= 0) {
            NetNs.ipOrThrow("-6", "addr", "add", cidr, "dev", name, "nodad");
        } else {
            NetNs.ipOrThrow("addr", "add", cidr, "dev", name);
        }
        return this;
    }

    /** Deletes the bridge; its ports are left as they are (unbridged). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ProcessResult deleted = NetNs.ip("link", "del", "dev", name);
        if (!deleted.ok() && !deleted.stderr().contains("Cannot find device")) {
            deleted.orThrow("ip link del " + name);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
