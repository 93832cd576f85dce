package spyglass.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every struct layout and constant of {@code spyglass.linux} equals what gcc says from the real
 * headers (native-headers/layouts.c), and everything the C program prints has its Java twin.
 * gcc and libc6-dev are installed by scripts/lib/common.sh sg_ensure_tools.
 */
class LayoutsTest {
    private static final Path SOURCE = Path.of("native-headers", "layouts.c");

    @TempDir
    static Path work;

    private static final Map<String, String> C = new TreeMap<>();

    @BeforeAll
    static void compileAndRun() throws Exception {
        final Path binary = work.resolve("layouts");
        run(List.of("gcc", "-Wall", "-Werror", "-o", binary.toString(), SOURCE.toAbsolutePath().toString()));
        for (final String line : run(List.of(binary.toString())).split("\n")) {
            final String[] parts = line.split(" ");
            switch (parts[0]) {
                case "struct" -> C.put("struct " + parts[1], parts[2]);
                case "field" -> C.put("field " + parts[1] + " " + parts[2], parts[3] + " " + parts[4]);
                case "const" -> C.put("const " + parts[1], parts[2]);
                default -> throw new AssertionError("unexpected line from layouts.c: " + line);
            }
        }
        assertTrue(C.size() > 150, "layouts.c printed " + C.size() + " items");
    }

    @Test
    void javaMatchesCExactlyBothWays() throws Exception {
        final Map<String, String> java = new TreeMap<>();
        for (final MemoryLayout layout : Structs.all()) {
            final String name = layout.name().orElseThrow();
            java.put("struct " + name, Long.toString(layout.byteSize()));
            fields(name, "", 0, (GroupLayout) layout, java);
        }
        constants(LinuxConstants.class, java);
        constants(Errno.class, java);
        assertEquals(C, java);
    }

    @Test
    void ringOffsetsComeFromTheLayouts() {
        assertEquals(8, Structs.BLOCK_STATUS_OFFSET);
        assertEquals(12, Structs.BLOCK_NUM_PKTS_OFFSET);
        assertEquals(16, Structs.BLOCK_FIRST_PKT_OFFSET);
        assertEquals(48, Structs.FRAME_SOCKADDR_OFFSET);
        assertEquals(LinuxConstants.TPACKET3_HDRLEN, Structs.FRAME_SOCKADDR_OFFSET + (int) Structs.SOCKADDR_LL.byteSize());
        assertEquals(Integer.parseInt(C.get("field tpacket3_hdr hv1.tp_vlan_tci").split(" ")[0]), Structs.FRAME_VLAN_TCI_OFFSET);
        assertEquals(Integer.parseInt(C.get("field sockaddr_ll sll_pkttype").split(" ")[0]), Structs.SLL_PKTTYPE_OFFSET);
    }

    @Test
    void errnoNamesAndTexts() {
        assertEquals("EPERM", Errno.name(Errno.EPERM));
        assertEquals("errno 4095", Errno.name(4095));
        assertEquals("Operation not permitted", Libc.strerror(Errno.EPERM));
        final LinuxException e = new LinuxException("socket(17, 3, 0)", Errno.EPERM);
        assertEquals("socket(17, 3, 0) failed: EPERM 1 (Operation not permitted)", e.getMessage());
        assertEquals("EPERM", e.errnoName());
    }

    @Test
    void failingCallsSayWhichCallAndWhy() {
        final LinuxException e = org.junit.jupiter.api.Assertions.assertThrows(LinuxException.class, () -> Libc.close(-1));
        assertEquals("close(-1) failed: EBADF 9 (Bad file descriptor)", e.getMessage());
        assertEquals(0, Libc.ifNameToIndex("sg-no-such-if"));
        assertEquals(1, Libc.ifNameToIndex("lo") > 0 ? 1 : 0);
    }

    private static void fields(final String struct, final String prefix, final long base, final GroupLayout group,
                               final Map<String, String> out) {
        long offset = base;
        for (final MemoryLayout member : group.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                final String path = prefix + member.name().orElseThrow();
                out.put("field " + struct + " " + path, offset + " " + member.byteSize());
                if (member instanceof GroupLayout inner) {
                    fields(struct, path + ".", offset, inner, out);
                }
            }
            if (group instanceof StructLayout) {
                offset += member.byteSize();
            }
        }
    }

    private static void constants(final Class<?> type, final Map<String, String> out) throws IllegalAccessException {
        for (final Field field : type.getDeclaredFields()) {
            final int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && field.getType() == int.class) {
                out.put("const " + field.getName(), Integer.toString(field.getInt(null)));
            }
        }
    }

    private static String run(final List<String> command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " did not finish");
        assertEquals(0, process.exitValue(), command + " failed:\n" + output);
        return output;
    }
}
