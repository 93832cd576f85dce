package spyglass.it;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The stage of a live-capture test: a private MariaDB in namespace {@code server}, real clients in
 * namespace {@code client}, and the root namespace in the middle where spyglass captures.
 *
 * <pre>
 *  client ns                      root ns                           server ns
 *  sgc-ID-p 10.213.X.1 ──veth── sgc-ID ─┐                 ┌─ sgs-ID ──veth── sgs-ID-p 10.213.X.2
 *           fd00:5367:X::1/64           └── bridge sgb-ID ┘  (capture here)          fd00:5367:X::2/64
 *                                          (10.213.X.3, optional)                    mariadbd :3306
 * </pre>
 *
 * The two namespaces share one layer-2 segment through a bridge in the root namespace, so nothing
 * host-wide changes: no {@code ip_forward}, no root route, no firewall rule, and several labs can
 * run at once. Every packet of a conversation leaves or enters {@link #captureInterface()} (the root
 * end of the server's veth) exactly once, so an AF_PACKET socket bound to it sees each packet once,
 * as on a real server's NIC. (The bridge device sees forwarded frames only while promiscuous, as
 * under tcpdump: capture on the veth, not on the bridge.)
 *
 * <p>{@link #start(boolean) start(true)} also gives the root namespace an address on the bridge
 * ({@link #hostAddress()}), so the test JVM itself can connect (mysql-connector-j); that adds one
 * connected /24 route to the root namespace, checked to be unused first.
 *
 * <p>{@link #close()} stops the server by its pid, deletes the veths, the bridge and the namespaces,
 * in that order, and reports what it could not undo. A shutdown hook does the same if a test
 * forgets, so an aborted run leaves nothing behind either (short of SIGKILL).
 */
public final class LiveLab implements AutoCloseable {

    /** The server's port: the default one, as nothing else listens in a fresh namespace. */
    public static final int PORT = 3306;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Thread shutdownHook = new Thread(this::closeFromHook, "live-lab-cleanup");
    private final String id;
    private final int subnet;
    private final boolean hostOnBridge;
    private NetNs serverNs;
    private NetNs clientNs;
    private VethBridge bridge;
    private VethPair serverLink;
    private VethPair clientLink;
    private MariaDbServer server;
    private boolean closed;

    private LiveLab(String id, int subnet, boolean hostOnBridge) {
        this.id = id;
        this.subnet = subnet;
        this.hostOnBridge = hostOnBridge;
    }

    /** The lab without an address in the root namespace: clients run in the client namespace. */
    public static LiveLab start() {
        return start(false);
    }

    /** The lab; with {@code hostOnBridge}, the root namespace (the test JVM) can connect too. */
    public static LiveLab start(boolean hostOnBridge) {
        String id = NetNs.suffix();
        LiveLab lab = new LiveLab(id, pickSubnet(hostOnBridge), hostOnBridge);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.build();
            return lab;
        } catch (RuntimeException | Error e) {
            try {
                lab.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void build() {
        serverNs = keep(NetNs.create(id, "srv"));
        clientNs = keep(NetNs.create(id, "cli"));
        bridge = keep(VethBridge.create("sgb-" + id));
        serverLink = keep(VethPair.create("sgs-" + id, "sgs-" + id + "-p", serverNs));
        clientLink = keep(VethPair.create("sgc-" + id, "sgc-" + id + "-p", clientNs));
        serverLink.rootMaster(bridge).peerAddress(serverAddress() + "/24").peerAddress(serverAddress6() + "/64").up();
        clientLink.rootMaster(bridge).peerAddress(clientAddress() + "/24").peerAddress(clientAddress6() + "/64").up();
        if (hostOnBridge) {
            bridge.address(hostAddress() + "/24").address(hostAddress6() + "/64");
        }
        // Every address of the namespace, IPv4 and IPv6; clients are given the IPv4 one.
        server = keep(MariaDbServer.start(List.of(), serverNs.prefix(), "*", serverAddress(), PORT));
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.push(resource);
        return resource;
    }

    // ---------------------------------------------------------------------------- the topology

    /** The random part of every name this lab gave: {@code sg-ID-srv}, {@code sgs-ID}, … */
    public String id() {
        return id;
    }

    /** The interface to capture on in the root namespace: the root end of the server's veth. */
    public String captureInterface() {
        return serverLink.rootName();
    }

    /** The root end of the client's veth: the same packets, seen from the other side. */
    public String clientInterface() {
        return clientLink.rootName();
    }

    public String bridgeName() {
        return bridge.name();
    }

    public NetNs serverNamespace() {
        return serverNs;
    }

    public NetNs clientNamespace() {
        return clientNs;
    }

    /** The server's interface inside its namespace. */
    public String serverPeerInterface() {
        return serverLink.peerName();
    }

    public String serverAddress() {
        return "10.213." + subnet + ".2";
    }

    public String serverAddress6() {
        return "fd00:5367:" + Integer.toHexString(subnet) + "::2";
    }

    public String clientAddress() {
        return "10.213." + subnet + ".1";
    }

    public String clientAddress6() {
        return "fd00:5367:" + Integer.toHexString(subnet) + "::1";
    }

    /** The root namespace's address on the bridge; null unless started with {@code hostOnBridge}. */
    public String hostAddress() {
        return hostOnBridge ? "10.213." + subnet + ".3" : null;
    }

    public String hostAddress6() {
        return hostOnBridge ? "fd00:5367:" + Integer.toHexString(subnet) + "::3" : null;
    }

    public int port() {
        return PORT;
    }

    /** The server: general log, root SQL over its unix socket, pid; its {@code jdbcUrl} uses {@link #serverAddress()}. */
    public MariaDbServer server() {
        return server;
    }

    // ------------------------------------------------------------------------------- clients

    /** The {@code mariadb} CLI in the client namespace, connecting to {@link #serverAddress()}. */
    public MariaDbClient client() {
        return new MariaDbClient(server).host(serverAddress()).via(clientNs.prefix());
    }

    /** As {@link #client()}, over IPv6. */
    public MariaDbClient client6() {
        return new MariaDbClient(server).host(serverAddress6()).via(clientNs.prefix());
    }

    /** Runs {@code sql} through the {@code mariadb} CLI in the client namespace, fed on stdin (batch mode). */
    public ProcessResult mariadb(String sql) {
        return client().timeout(CLIENT_TIMEOUT).script(sql);
    }

    /** Runs a command in the client namespace to completion (stdin may be null). */
    public ProcessResult runInClient(Duration timeout, String stdin, String... command) {
        return clientNs.run(timeout, stdin, command);
    }

    /** The command line that runs {@code command} in the client namespace, for a process started by the test. */
    public List<String> clientCommand(String... command) {
        return clientNs.command(Arrays.asList(command));
    }

    // ------------------------------------------------------------------------------ teardown

    /** Undoes everything in reverse order; the first failure is thrown, the rest suppressed in it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                RuntimeException wrapped = e instanceof RuntimeException r ? r
                        : new IllegalStateException("cannot close " + resource, e);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself, or the JVM is already exiting
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "LiveLab " + id + " (" + serverNs + ", " + clientNs + ", capture on " + captureInterface() + ")";
    }

    private void closeFromHook() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("LiveLab " + id + " cleanup at exit failed: " + e);
        }
    }

    /**
     * The third octet of the lab's subnets. Namespaces are private, so labs may share it, unless
     * the root namespace takes an address: then a /24 the root namespace already routes is skipped.
     */
    private static int pickSubnet(boolean hostOnBridge) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int x = 1 + (int) (Math.random() * 254);
            if (!hostOnBridge) {
                return x;
            }
            String prefix = "10.213." + x + ".0/24";
            String routes = NetNs.ipOrThrow("-4", "route", "show", "root", prefix).stdout()
                    + NetNs.ipOrThrow("-4", "addr", "show", "to", prefix).stdout();
            if (routes.isBlank()) {
                return x;
            }
        }
        throw new IllegalStateException("no free 10.213.X.0/24 in the root namespace");
    }

}
