package tark.host.toolchain;

import java.util.ArrayList;
import java.util.List;
import org.teavm.model.BasicBlock;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.ClassReader;
import org.teavm.model.ClassReaderSource;
import org.teavm.model.FieldReference;
import org.teavm.model.Instruction;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReader;
import org.teavm.model.MethodReference;
import org.teavm.model.Program;
import org.teavm.model.ProgramReader;
import org.teavm.model.ValueType;
import org.teavm.model.VariableReader;
import org.teavm.model.instructions.AbstractInstructionReader;
import org.teavm.model.instructions.IntegerConstantInstruction;
import org.teavm.model.instructions.InvokeInstruction;

/**
 * Build-time TeaVM transformer fixing the garbage collector's walk over static fields in TeaVM
 * 0.13.1's wasm backend. The list of static GC roots starts with its length written as an 8-byte
 * long ({@code WasmClassGenerator.writeStaticGcRoots}), but {@code GC.markFromStaticFields} and
 * {@code GC.updatePointersFromStaticRoots} read it as an int and skip {@code Address.sizeOf()},
 * 4 bytes in wasm32. Every walk is shifted by one entry, and the last static field is never marked
 * or updated: whatever it references is freed at the first collection and its memory reused (seen
 * as minimal-json's escape table overwritten after ~1000 calls). Here the header skip becomes 8.
 *
 * <p>Both sides are checked first: a TeaVM that fixed either the writer or the readers would make
 * this fix the bug, so the build stops instead.
 */
final class StaticGcRootsFix implements ClassHolderTransformer {
    static final String GC = "org.teavm.runtime.GC";
    static final String[] WALKS = {"markFromStaticFields", "updatePointersFromStaticRoots"};
    static final String WRITER = "org.teavm.backend.wasm.generate.WasmClassGenerator";
    static final MethodDescriptor WRITE = new MethodDescriptor("writeStaticGcRoots", ValueType.VOID);
    static final String DATA_PRIMITIVES = "org.teavm.backend.wasm.binary.DataPrimitives";
    static final MethodReference ADDRESS_SIZE = new MethodReference("org.teavm.interop.Address", "sizeOf",
            ValueType.INTEGER);
    /** What the writer appends: the length as a long, then one address per root. */
    private static final List<String> WRITTEN = List.of("LONG", "ADDRESS");
    /** The list's length field, a long ({@code DataPrimitives.LONG}). */
    private static final int LENGTH_FIELD_BYTES = 8;

    /** TeaVM's compiler classes, where the writer is. */
    private final ClassReaderSource compilerClasses;

    StaticGcRootsFix(ClassReaderSource compilerClasses) {
        this.compilerClasses = compilerClasses;
    }

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(GC)) {
            return;
        }
        checkWriter();
        for (String walk : WALKS) {
            MethodHolder method = cls.getMethod(new MethodDescriptor(walk, ValueType.VOID));
            if (method == null || method.getProgram() == null) {
                throw new UnexpectedTeaVm(GC + "." + walk + "() not found");
            }
            fixHeaderSkip(method.getProgram(), walk);
        }
    }

    /** The writer must append exactly a LONG then ADDRESSes: the 8-byte header this fix skips. */
    private void checkWriter() {
        ClassReader writer = compilerClasses.get(WRITER);
        MethodReader write = writer != null ? writer.getMethod(WRITE) : null;
        if (write == null || write.getProgram() == null) {
            throw new UnexpectedTeaVm(WRITER + "." + WRITE.getName() + "() not found");
        }
        List<String> written = new ArrayList<>();
        ProgramReader program = write.getProgram();
        for (int i = 0; i < program.basicBlockCount(); i++) {
            program.basicBlockAt(i).readAllInstructions(new AbstractInstructionReader() {
                @Override
                public void getField(VariableReader receiver, VariableReader instance, FieldReference field,
                        ValueType type) {
                    if (field.getClassName().equals(DATA_PRIMITIVES)) {
                        written.add(field.getFieldName());
                    }
                }
            });
        }
        if (!written.equals(WRITTEN)) {
            throw new UnexpectedTeaVm(WRITER + "." + WRITE.getName() + " writes " + written + ", expected "
                    + WRITTEN + " (the static GC roots' length as a long, then the roots)");
        }
    }

    /** The walk's first {@code Address.sizeOf()}, before the loop, is the header skip; the other is the stride. */
    private static void fixHeaderSkip(Program program, String walk) {
        List<InvokeInstruction> sizeCalls = new ArrayList<>();
        for (int i = 0; i < program.basicBlockCount(); i++) {
            BasicBlock block = program.basicBlockAt(i);
            for (Instruction instruction : block) {
                if (instruction instanceof InvokeInstruction
                        && ((InvokeInstruction) instruction).getMethod().equals(ADDRESS_SIZE)) {
                    sizeCalls.add((InvokeInstruction) instruction);
                }
            }
        }
        if (sizeCalls.size() != 2 || sizeCalls.get(0).getBasicBlock() == sizeCalls.get(1).getBasicBlock()) {
            throw new UnexpectedTeaVm(GC + "." + walk + " does not skip a header of Address.sizeOf() then step"
                    + " by Address.sizeOf() in a loop");
        }
        InvokeInstruction headerSkip = sizeCalls.get(0);
        IntegerConstantInstruction eightBytes = new IntegerConstantInstruction();
        eightBytes.setConstant(LENGTH_FIELD_BYTES);
        eightBytes.setReceiver(headerSkip.getReceiver());
        eightBytes.setLocation(headerSkip.getLocation());
        headerSkip.replace(eightBytes);
    }
}
