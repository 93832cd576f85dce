package spyglass.it;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A network namespace this test created ({@code ip netns add}), named {@code sg-<suffix>-<role>}
 * with a random suffix, so parallel runs and leftovers of killed runs never collide; a name that
 * exists already is never reused or deleted, another suffix is drawn. {@link #close()} deletes it.
 *
 * <p>Processes are started in it through {@code ip netns exec NAME}, which execs in place: the
 * {@link Process}'s pid is the program's own, so it can be stopped by that pid. Nothing is ever
 * killed by name; a process still inside at close is reported, not killed.
 */
public final class NetNs implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private boolean closed;

    private NetNs(String name) {
        this.name = name;
    }

    /** A fresh namespace named {@code sg-<random>-<role>}. */
    public static NetNs create(String role) {
        return create(suffix(), role);
    }

    /**
     * A fresh namespace named {@code sg-<suffix>-<role>} (a lab names all its parts with one
     * suffix); when that name is taken, a random suffix is used instead.
     */
    public static NetNs create(String suffix, String role) {
        String candidate = suffix;
        for (int attempt = 1; ; attempt++) {
            String name = "sg-" + candidate + "-" + role;
            ProcessResult added = ip("netns", "add", name);
            if (added.ok()) {
                return new NetNs(name);
            }
            if (attempt == 5 || !added.stderr().contains("exists")) {
                added.orThrow("ip netns add " + name);
            }
            candidate = suffix();
        }
    }

    /** Six random lower-case letters and digits: 2 * 10^9 names, for namespaces and interfaces. */
    public static String suffix() {
        char[] c = new char[6];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
        }
        return new String(c);
    }

    public String name() {
        return name;
    }

    /** {@code ip netns exec NAME}: the prefix that runs a command in this namespace. */
    public List<String> prefix() {
        return List.of(Tools.find("ip"), "netns", "exec", name);
    }

    /** The command line that runs {@code command} in this namespace. */
    public List<String> command(List<String> command) {
        List<String> cmd = new ArrayList<>(prefix());
        cmd.addAll(command);
        return cmd;
    }

    /** A process builder for {@code command} in this namespace, not started. */
    public ProcessBuilder exec(String... command) {
        return new ProcessBuilder(command(Arrays.asList(command)));
    }

    /** Runs {@code command} in this namespace to completion (stdin may be null); see {@link Tools#run}. */
    public ProcessResult run(Duration timeout, String stdin, String... command) {
        return Tools.run(command(Arrays.asList(command)), stdin, timeout);
    }

    /** {@code ip ARGS} inside this namespace ({@code ip -n NAME ARGS}); throws when it fails. */
    public ProcessResult ipIn(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Tools.find("ip"), "-n", name));
        cmd.addAll(Arrays.asList(args));
        return Tools.run(cmd, null, IP_TIMEOUT).orThrow(String.join(" ", cmd));
    }

    /** Pids of the processes in this namespace ({@code ip netns pids}). */
    public List<Long> pids() {
        String out = ip("netns", "pids", name).orThrow("ip netns pids " + name).stdout();
        List<Long> pids = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.strip()));
            }
        }
        return pids;
    }

    /**
     * Deletes the namespace (its interfaces go with it). Processes still inside keep it alive
     * unseen: they are named in the exception, after the deletion, so the test that leaked them
     * fails. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Long> left = List.of();
        try {
            left = pids();
        } finally {
            ip("netns", "del", name).orThrow("ip netns del " + name);
        }
        if (!left.isEmpty()) {
            throw new IllegalStateException("processes " + left + " were still running in namespace " + name);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** Runs {@code ip ARGS} in the root namespace; the caller decides what failure means. */
    static ProcessResult ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Tools.find("ip")));
        cmd.addAll(Arrays.asList(args));
        return Tools.run(cmd, null, IP_TIMEOUT);
    }

    /** As {@link #ip}, throwing with both outputs when it fails. */
    static ProcessResult ipOrThrow(String... args) {
        return ip(args).orThrow("ip " + String.join(" ", args));
    }
}
