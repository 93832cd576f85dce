package spyglass.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import spyglass.linux.Libc;
import spyglass.pipeline.ThreadPlacement;

/**
 * {@code --cpus}: the workers, then the writer, each pinned to the next CPU of the list in turn,
 * from the thread itself as it starts ({@code sched_setaffinity} on the calling thread).
 */
final class CpuPinning implements ThreadPlacement {
    private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private final int[] cpus;
    private final int workers;

    CpuPinning(final int[] cpus, final int workers) {
        this.cpus = cpus.clone();
        this.workers = workers;
    }

    @Override
    public void onThreadStart(final String role, final int index) {
        final int slot = "writer".equals(role) ? workers : index;
        final BitSet set = new BitSet();
        set.set(cpus[slot % cpus.length]);
        Libc.schedSetaffinity(0, set);
    }

    /** The message for the first CPU of {@code cpus} that is not online, or null when all are. */
    static String firstNotOnline(final int[] cpus) {
        final String text = onlineText();
        final BitSet online = parse(text);
        for (final int cpu : cpus) {
            if (cpu < 0 || cpu >= 4096 || (online != null && !online.get(cpu))) {
                return "--cpus " + cpu + " is not an online CPU of this host" + (online != null ? " (online: " + text + ")" : "");
            }
        }
        return null;
    }

    private static String onlineText() {
        try {
            return Files.readString(ONLINE).strip();
        } catch (final IOException e) {
            return null;
        }
    }

    /** The kernel's CPU list ("0-3,6"), or null when it cannot be read or parsed. */
    static BitSet parse(final String text) {
        if (text == null || !text.matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
            return null;
        }
        final BitSet set = new BitSet();
        for (final String range : text.split(",")) {
            final String[] ends = range.split("-");
            final int from = Integer.parseInt(ends[0]);
            final int to = ends.length > 1 ? Integer.parseInt(ends[1]) : from;
            if (to >= 4096 || from > to) {
                return null;
            }
            set.set(from, to + 1);
        }
        return set;
    }
}
