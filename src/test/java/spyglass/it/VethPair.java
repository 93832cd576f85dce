package spyglass.it;

/**
 * A veth pair this test created: the {@linkplain #rootName() root end} stays in the root namespace,
 * the {@linkplain #peerName() peer end} is created straight inside a {@link NetNs} (or in the root
 * namespace too when none is given). Names are the caller's, at most 15 characters (IFNAMSIZ - 1);
 * a name that exists already fails the creation and is never touched. {@link #close()} deletes the
 * pair (deleting one end deletes both).
 *
 * <p>IPv6 addresses are added with {@code nodad}: an address still in duplicate address detection
 * cannot be bound, and a test would have to wait a second or two for it.
 */
public final class VethPair implements AutoCloseable {

    public static final int MAX_NAME = 15;

    private final String rootName;
    private final String peerName;
    private final NetNs namespace;
    private boolean closed;

    private VethPair(String rootName, String peerName, NetNs namespace) {
        this.rootName = rootName;
        this.peerName = peerName;
        this.namespace = namespace;
    }

    /** Creates {@code rootName} here and {@code peerName} in {@code namespace} (null: here too), both down. */
    public static VethPair create(String rootName, String peerName, NetNs namespace) {
        checkName(rootName);
        checkName(peerName);
        if (namespace != null) {
            NetNs.ipOrThrow("link", "add", rootName, "type", "veth", "peer", "name", peerName, "netns", namespace.name());
        } else {
            NetNs.ipOrThrow("link", "add", rootName, "type", "veth", "peer", "name", peerName);
        }
        VethPair pair = new VethPair(rootName, peerName, namespace);
        try {
            // No IPv6 link-local address on the root end: it would send router solicitations and
            // MLD reports into every capture. Best effort: the host may have IPv6 disabled.
            NetNs.ip("link", "set", "dev", rootName, "addrgenmode", "none");
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    public String rootName() {
        return rootName;
    }

    public String peerName() {
        return peerName;
    }

    /** The namespace the peer end is in; null when it is in the root namespace. */
    public NetNs namespace() {
        return namespace;
    }

    /** Adds an address ({@code 10.213.7.2/24}, {@code fd00:5367:7::2/64}) to the root end. */
    public VethPair rootAddress(String cidr) {
        NetNs.ipOrThrow(addressArgs(rootName, cidr));
        return this;
    }

    /** Adds an address to the peer end, inside its namespace. */
    public VethPair peerAddress(String cidr) {
        String[] args = addressArgs(peerName, cidr);
        if (namespace != null) {
            namespace.ipIn(args);
        } else {
            NetNs.ipOrThrow(args);
        }
        return this;
    }

    /** Makes the root end a port of {@code bridge}. */
    public VethPair rootMaster(VethBridge bridge) {
        NetNs.ipOrThrow("link", "set", "dev", rootName, "master", bridge.name());
        return this;
    }

    /** Brings both ends up, and {@code lo} in the peer's namespace. */
    public VethPair up() {
        NetNs.ipOrThrow("link", "set", "dev", rootName, "up");
        if (namespace != null) {
            namespace.ipIn("link", "set", "dev", "lo", "up");
            namespace.ipIn("link", "set", "dev", peerName, "up");
        } else {
            NetNs.ipOrThrow("link", "set", "dev", peerName, "up");
        }
        return this;
    }

    /** Deletes the pair; one already gone with its namespace is fine. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ProcessResult deleted = NetNs.ip("link", "del", "dev", rootName);
        if (!deleted.ok() && !deleted.stderr().contains("Cannot find device")) {
            deleted.orThrow("ip link del " + rootName);
        }
    }

    @Override
    public String toString() {
        return rootName + "<->" + (namespace != null ? namespace.name() + ":" : "") + peerName;
    }

    private static String[] addressArgs(String device, String cidr) {
        return cidr.indexOf(':') >= 0
                ? new String[] {"-6", "addr", "add", cidr, "dev", device, "nodad"}
                : new String[] {"addr", "add", cidr, "dev", device};
    }

    static void checkName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME || name.contains("/") || name.contains(" ")) {
            throw new IllegalArgumentException("bad interface name '" + name + "' (1 to " + MAX_NAME + " characters)");
        }
    }
}
