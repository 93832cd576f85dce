package spyglass.cli;

import java.nio.file.Path;

/** Lets tests in other packages find a recorded capture's server port. */
public final class FixturePortsAccess {
    private FixturePortsAccess() {
    }

    public static int serverPort(final Path pcap) {
        return FixturePorts.serverPort(pcap);
    }
}
