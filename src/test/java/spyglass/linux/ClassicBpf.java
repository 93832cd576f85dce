package spyglass.linux;

/**
 * A classic BPF interpreter for tests, after the kernel's semantics: loads beyond the frame end
 * the program with 0 (reject), division by zero rejects, jumps are relative to the next instruction.
 */
final class ClassicBpf {
    private final int[][] program;

    ClassicBpf(final int[][] program) {
        this.program = program;
    }

    static ClassicBpf of(final BpfProgram program) {
        final int[][] instructions = new int[program.length()][];
        for (int i = 0; i < instructions.length; i++) {
            instructions[i] = new int[] {program.code(i), program.trueJump(i), program.falseJump(i), program.constant(i)};
        }
        return new ClassicBpf(instructions);
    }

    /** Runs the program over a frame: the number of bytes to keep, 0 to reject. */
    int run(final byte[] frame) {
        int a = 0;
        int x = 0;
        final int[] memory = new int[16];
        int pc = 0;
        while (true) {
            if (pc >= program.length) {
                throw new IllegalStateException("ran off the end of the program");
            }
            final int[] insn = program[pc++];
            final int code = insn[0];
            final int k = insn[3];
            switch (code & 0x07) {
                case 0x00, 0x01 -> { // LD, LDX
                    final boolean ldx = (code & 0x07) == 0x01;
                    final int mode = code & 0xE0;
                    final int size = code & 0x18;
                    final long value;
                    switch (mode) {
                        case 0x00 -> value = k;
                        case 0x20, 0x40 -> {
                            final long at = (mode == 0x40 ? (x & 0xFFFFFFFFL) : 0) + (k & 0xFFFFFFFFL);
                            value = load(frame, at, size);
                            if (value < 0) {
                                return 0;
                            }
                        }
                        case 0x60 -> value = memory[k];
                        case 0x80 -> value = frame.length;
                        case 0xA0 -> { // MSH: 4*([k]&0xf)
                            if (k < 0 || k >= frame.length) {
                                return 0;
                            }
                            value = 4 * (frame[k] & 0x0F);
                        }
                        default -> throw new IllegalStateException("load mode " + mode);
                    }
                    if (ldx) {
                        x = (int) value;
                    } else {
                        a = (int) value;
                    }
                }
                case 0x02 -> memory[k] = a;
                case 0x03 -> memory[k] = x;
                case 0x04 -> { // ALU
                    final int operand = (code & 0x08) != 0 ? x : k;
                    switch (code & 0xF0) {
                        case 0x00 -> a += operand;
                        case 0x10 -> a -= operand;
                        case 0x20 -> a *= operand;
                        case 0x30 -> {
                            if (operand == 0) {
                                return 0;
                            }
                            a = Integer.divideUnsigned(a, operand);
                        }
                        case 0x40 -> a |= operand;
                        case 0x50 -> a &= operand;
                        case 0x60 -> a <<= operand;
                        case 0x70 -> a >>>= operand;
                        case 0x80 -> a = -a;
                        case 0x90 -> {
                            if (operand == 0) {
                                return 0;
                            }
                            a = Integer.remainderUnsigned(a, operand);
                        }
                        case 0xA0 -> a ^= operand;
                        default -> throw new IllegalStateException("alu " + code);
                    }
                }
                case 0x05 -> { // JMP
                    final long operand = ((code & 0x08) != 0 ? x : k) & 0xFFFFFFFFL;
                    final long value = a & 0xFFFFFFFFL;
                    final boolean taken;
                    switch (code & 0xF0) {
                        case 0x00 -> {
                            pc += k;
                            continue;
                        }
                        case 0x10 -> taken = value == operand;
                        case 0x20 -> taken = value > operand;
                        case 0x30 -> taken = value >= operand;
                        case 0x40 -> taken = (value & operand) != 0;
                        default -> throw new IllegalStateException("jmp " + code);
                    }
                    pc += taken ? insn[1] : insn[2];
                }
                case 0x06 -> {
                    return (code & 0x18) == 0x10 ? a : k;
                }
                case 0x07 -> {
                    if ((code & 0xF8) == 0x00) {
                        x = a;
                    } else {
                        a = x;
                    }
                }
                default -> throw new IllegalStateException("class " + code);
            }
        }
    }

    private static long load(final byte[] frame, final long at, final int size) {
        final int bytes = size == 0x00 ? 4 : size == 0x08 ? 2 : 1;
        if (at + bytes > frame.length) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value = (value << 8) | (frame[(int) at + i] & 0xFF);
        }
        return value;
    }
}
