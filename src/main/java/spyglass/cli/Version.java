package spyglass.cli;

import picocli.CommandLine;

/** The version written into every capture file's {@code capture_start} record. */
public final class Version implements CommandLine.IVersionProvider {
    public static final String VERSION = "0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {"spyglass " + VERSION, "Java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")"};
    }
}
