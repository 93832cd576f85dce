package spyglass.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.BitSet;

/**
 * The libc calls spyglass makes, through the FFM API. Every downcall handle is made once, here,
 * and captures {@code errno} ({@link Linker.Option#captureCallState}) into a per-thread segment,
 * so a failure becomes a {@link LinuxException} naming the call and the error, and a successful
 * call allocates nothing (the thread's call-state segment is made on its first call).
 *
 * <p>The set-id calls go through glibc's wrappers on purpose: glibc makes every thread of the
 * process change its ids (it signals them all), where the raw system call changes only the caller.
 */
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MMAP = downcall("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /**
     * poll without errno capture: the JDK's linker slices the capture segment on every call (a small
     * allocation that escape analysis does not remove), and poll runs a hundred times a second on
     * an idle capture. errno is fetched by a second, non-waiting call only when the first failed.
     */
    private static final MethodHandle POLL_PLAIN = plain("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = downcall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SCHED_SETAFFINITY = downcall("sched_setaffinity",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SETGID = downcall("setgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETUID = downcall("setuid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETGROUPS = downcall("setgroups", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle GETUID = plain("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = plain("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETGID = plain("getgid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEGID = plain("getegid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle ISATTY = plain("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** Per thread: the errno capture segment, and a socklen_t for getsockopt. */
    private static final ThreadLocal<MemorySegment> STATE =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));
    private static final ThreadLocal<MemorySegment> SOCKLEN =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_INT));

    private Libc() {
    }

    /** socket(2); the descriptor, or a {@link LinuxException}. */
    public static int socket(final int domain, final int type, final int protocol) {
        final MemorySegment state = STATE.get();
        final int fd;
        try {
            fd = (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (fd < 0) {
            throw new LinuxException("socket(" + domain + ", " + type + ", " + protocol + ")", errno(state));
        }
        return fd;
    }

    /** bind(2) to the whole of {@code address}. */
    public static void bind(final int fd, final MemorySegment address) {
        final MemorySegment state = STATE.get();
        final int result;
        try {
            result = (int) BIND.invokeExact(state, fd, address, (int) address.byteSize());
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("bind", errno(state));
        }
    }

    /** setsockopt(2) with the whole of {@code value}; {@code what} names the option in a failure's message. */
    public static void setsockopt(final int fd, final int level, final int option, final MemorySegment value, final String what) {
        final MemorySegment state = STATE.get();
        final int result;
        try {
            result = (int) SETSOCKOPT.invokeExact(state, fd, level, option, value, (int) value.byteSize());
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("setsockopt(" + what + ")", errno(state));
        }
    }

    /** getsockopt(2) into {@code value}; returns the length the kernel wrote. Allocates nothing. */
    public static int getsockopt(final int fd, final int level, final int option, final MemorySegment value, final String what) {
        final MemorySegment state = STATE.get();
        final MemorySegment length = SOCKLEN.get();
        length.set(JAVA_INT, 0, (int) value.byteSize());
        final int result;
        try {
            result = (int) GETSOCKOPT.invokeExact(state, fd, level, option, value, length);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("getsockopt(" + what + ")", errno(state));
        }
        return length.get(JAVA_INT, 0);
    }

    /** mmap(2) of {@code length} bytes of {@code fd}; the mapping as a segment of that length. */
    public static MemorySegment mmap(final long length, final int protection, final int flags, final int fd, final long offset) {
        final MemorySegment state = STATE.get();
        final MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, protection, flags, fd, offset);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (address.address() == -1L) {
            throw new LinuxException("mmap(" + length + " bytes)", errno(state));
        }
        return address.reinterpret(length);
    }

    public static void munmap(final MemorySegment mapping) {
        final MemorySegment state = STATE.get();
        final int result;
        try {
            result = (int) MUNMAP.invokeExact(state, mapping, mapping.byteSize());
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("munmap", errno(state));
        }
    }

    /**
     * poll(2) on {@code count} pollfd structs; the number ready, 0 on timeout or when a signal
     * interrupted the wait (the caller simply polls again). Allocates nothing.
     */
    public static int poll(final MemorySegment pollFds, final int count, final int timeoutMillis) {
        try {
            final int first = (int) POLL_PLAIN.invokeExact(pollFds, (long) count, timeoutMillis);
            if (first >= 0) {
                return first;
            }
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        // Failed (or interrupted): ask again without waiting, this time with errno captured.
        final MemorySegment state = STATE.get();
        final int result;
        try {
            result = (int) POLL.invokeExact(state, pollFds, (long) count, 0);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result < 0) {
            final int errno = errno(state);
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new LinuxException("poll", errno);
        }
        return result;
    }

    public static void close(final int fd) {
        final MemorySegment state = STATE.get();
        final int result;
        try {
            result = (int) CLOSE.invokeExact(state, fd);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("close(" + fd + ")", errno(state));
        }
    }

    /** if_nametoindex(3): the interface's index, or 0 when no interface has that name. */
    public static int ifNameToIndex(final String name) {
        final MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            return (int) IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /** sched_setaffinity(2) of thread {@code tid} (0: the calling thread) to the CPUs set in {@code cpus}. */
    public static void schedSetaffinity(final int tid, final BitSet cpus) {
        if (cpus.isEmpty() || cpus.length() > LinuxConstants.SIZEOF_CPU_SET_T * 8) {
            throw new IllegalArgumentException("CPU set " + cpus + " must name at least one CPU, each below "
                + LinuxConstants.SIZEOF_CPU_SET_T * 8);
        }
        final MemorySegment state = STATE.get();
        final int result;
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment set = arena.allocate(LinuxConstants.SIZEOF_CPU_SET_T, 8);
            final long[] words = cpus.toLongArray();
            for (int i = 0; i < words.length; i++) {
                set.setAtIndex(JAVA_LONG, i, words[i]);
            }
            result = (int) SCHED_SETAFFINITY.invokeExact(state, tid, (long) LinuxConstants.SIZEOF_CPU_SET_T, set);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("sched_setaffinity(" + cpus + ")", errno(state));
        }
    }

    /** setgroups(2) through glibc (all threads). */
    public static void setgroups(final int[] groups) {
        final MemorySegment state = STATE.get();
        final int result;
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment list = groups.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_INT, groups);
            result = (int) SETGROUPS.invokeExact(state, (long) groups.length, list);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("setgroups", errno(state));
        }
    }

    /** setgid(2) through glibc, which applies it to every thread of the process. */
    public static void setgid(final int gid) {
        final MemorySegment state = STATE.get();
        final int result;
        try {
            result = (int) SETGID.invokeExact(state, gid);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("setgid(" + gid + ")", errno(state));
        }
    }

    /** setuid(2) through glibc, which applies it to every thread of the process. */
    public static void setuid(final int uid) {
        final MemorySegment state = STATE.get();
        final int result;
        try {
            result = (int) SETUID.invokeExact(state, uid);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new LinuxException("setuid(" + uid + ")", errno(state));
        }
    }

    /** Whether {@code fd} is a terminal (isatty(3)); false for a file, a pipe or a closed descriptor. */
    public static boolean isatty(final int fd) {
        try {
            return (int) ISATTY.invokeExact(fd) == 1;
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    public static int getuid() {
        return idCall(GETUID);
    }

    public static int geteuid() {
        return idCall(GETEUID);
    }

    public static int getgid() {
        return idCall(GETGID);
    }

    public static int getegid() {
        return idCall(GETEGID);
    }

    /** strerror(3): the C library's text for an errno value. */
    public static String strerror(final int errno) {
        try {
            final MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    private static int idCall(final MethodHandle handle) {
        try {
            return (int) handle.invokeExact();
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    private static int errno(final MemorySegment state) {
        return (int) ERRNO_HANDLE.get(state, 0L);
    }

    private static MethodHandle downcall(final String name, final FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, ERRNO);
    }

    private static MethodHandle plain(final String name, final FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MemorySegment symbol(final String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static RuntimeException unexpected(final Throwable t) {
        if (t instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("native call failed unexpectedly", t);
    }
}
