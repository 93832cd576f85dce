package spyglass.cli;

import java.util.Locale;

/** Sizes as people type them: {@code 500000}, {@code 64K}, {@code 100M}, {@code 2G} (powers of 1024). */
final class ByteSize {
    private ByteSize() {
    }

    /** The size in bytes, or -1 when {@code text} is not a size. */
    static long parse(final String text) {
        final String t = text.trim().toUpperCase(Locale.ROOT).replaceFirst("I?B$", "");
        if (t.isEmpty()) {
            return -1;
        }
        final char unit = t.charAt(t.length() - 1);
        final int shift = switch (unit) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        final String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        if (!digits.matches("[0-9]{1,12}")) {
            return -1;
        }
        final long n = Long.parseLong(digits);
        return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
    }

    /** {@code 1.5 MiB}: one decimal, binary units, for progress lines. */
    static String format(final long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes / 1024.0;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
