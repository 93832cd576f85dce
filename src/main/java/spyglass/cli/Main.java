package spyglass.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spyglass} command: subcommands do the work. */
@Command(
    name = "spyglass",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
        "Passive MySQL/MariaDB traffic analyser: rebuilds every connection's conversation from "
            + "captured packets, replaces every literal with ?, and writes one JSON line per statement.",
        ""
    },
    subcommands = {CaptureCommand.class, ReadCommand.class, SchemaCommand.class, CommandLine.HelpCommand.class},
    footer = {
        "",
        "Examples:",
        "  sudo spyglass capture                         live, until Ctrl-C",
        "  sudo spyglass capture -i eth0 --duration 600 -o db1.jsonl",
        "  spyglass read capture.pcap                    events on standard output",
        "  ssh db1 sudo tcpdump -U -s 0 -w - port 3306 | spyglass read -o db1.jsonl -",
        "",
        "See 'spyglass help COMMAND' for a command's options."
    })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "Missing command: try 'sudo spyglass capture', 'spyglass read FILE' or 'spyglass --help'");
    }

    /** Runs the command line and returns the exit code, without exiting: what tests call. */
    public static int run(final String... args) {
        final CommandLine commandLine = new CommandLine(new Main());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setUsageHelpAutoWidth(true);
        // A bad option gets its one-line fix, not a page of usage: --help is there for that.
        commandLine.setParameterExceptionHandler((ex, args2) -> {
            final CommandLine cl = ex.getCommandLine();
            cl.getErr().println("spyglass: " + ex.getMessage());
            cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) -> {
            cl.getErr().println("spyglass: error: " + ex.getMessage());
            return 2;
        });
        return commandLine.execute(args);
    }

    public static void main(final String[] args) {
        System.exit(run(args));
    }
}
