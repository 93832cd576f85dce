package spyglass.output;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How the parts of a rotated capture are named and told apart.
 *
 * <p>Names: part 0 is the file the user named, unchanged. Part N (N &ge; 1) is that name with
 * {@code .NNNNNN} (N zero-padded to six digits) inserted before its last extension, so
 * {@code db1.jsonl} is followed by {@code db1.000001.jsonl}, {@code db1.000002.jsonl}, … and every
 * part still ends in {@code .jsonl} and opens as JSON Lines. A name without an extension gets the
 * number appended ({@code capture} then {@code capture.000001}). The padding keeps the numbered
 * parts in order under a plain lexical sort (up to 999999 parts; wider numbers keep their digits);
 * part 0 is the one without a number.
 *
 * <p>Marking: every part after the first begins with the capture's {@code capture_start} line again,
 * byte for byte, with {@code "part":N} inserted after its {@code type}, so a part read alone says
 * what it is and which one; part 0 (and any capture never rotated) has no {@code part} field.
 *
 * <p>Used only when a part is opened, never per record: it may allocate.
 */
public final class CaptureFileParts {
    /** Digits a part number is padded to. */
    public static final int PART_DIGITS = 6;

    private static final byte[] START_PREFIX = "{\"type\":\"capture_start\",".getBytes(StandardCharsets.US_ASCII);

    private CaptureFileParts() {
    }

    /** The path of part {@code part} of the capture whose first file is {@code first}. */
    public static Path partPath(final Path first, final int part) {
        if (part < 0) {
            throw new IllegalArgumentException("part " + part);
        }
        if (part == 0) {
            return first;
        }
        final String name = first.getFileName().toString();
        final String number = pad(part);
        final int dot = name.lastIndexOf('.');
        // A leading dot (".capture") is a hidden name, not an extension.
        final String partName = dot > 0
            ? name.substring(0, dot) + '.' + number + name.substring(dot)
            : name + '.' + number;
        return first.resolveSibling(partName);
    }

    /** True when {@code line[0, length)} is a {@code capture_start} record as the encoder writes it. */
    public static boolean isCaptureStart(final byte[] line, final int offset, final int length) {
        return length >= START_PREFIX.length
            && Arrays.equals(line, offset, offset + START_PREFIX.length, START_PREFIX, 0, START_PREFIX.length);
    }

    /**
     * The {@code capture_start} line {@code line[0, length)} with {@code "part":N} inserted after its
     * type, everything else kept byte for byte; a line that is not a {@code capture_start} record is
     * returned unchanged (copied), so the re-emitted header is never corrupted.
     */
    public static byte[] withPart(final byte[] line, final int length, final int part) {
        if (!isCaptureStart(line, 0, length)) {
            return Arrays.copyOf(line, length);
        }
        final byte[] field = ("\"part\":" + part + ',').getBytes(StandardCharsets.US_ASCII);
        final byte[] result = new byte[length + field.length];
        System.arraycopy(line, 0, result, 0, START_PREFIX.length);
        System.arraycopy(field, 0, result, START_PREFIX.length, field.length);
        System.arraycopy(line, START_PREFIX.length, result, START_PREFIX.length + field.length, length - START_PREFIX.length);
        return result;
    }

    private static String pad(final int part) {
        final String digits = Integer.toString(part);
        return digits.length() >= PART_DIGITS ? digits : "0".repeat(PART_DIGITS - digits.length()) + digits;
    }
}
