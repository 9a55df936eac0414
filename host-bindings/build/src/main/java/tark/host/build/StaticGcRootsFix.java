package tark.host.build;

import java.util.ArrayList;
import java.util.List;
import org.teavm.model.BasicBlock;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.Instruction;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReference;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
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
 */
final class StaticGcRootsFix implements ClassHolderTransformer {
    private static final String GC = "org.teavm.runtime.GC";
    private static final String[] WALKS = {"markFromStaticFields", "updatePointersFromStaticRoots"};
    private static final MethodReference ADDRESS_SIZE = new MethodReference("org.teavm.interop.Address",
            "sizeOf", ValueType.INTEGER);
    /** The list's length field, a long ({@code DataPrimitives.LONG}). */
    private static final int LENGTH_FIELD_BYTES = 8;

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(GC)) {
            return;
        }
        for (String walk : WALKS) {
            MethodHolder method = cls.getMethod(new MethodDescriptor(walk, ValueType.VOID));
            if (method == null || method.getProgram() == null) {
                throw new UnexpectedTeaVm(GC + "." + walk + "() not found");
            }
            fixHeaderSkip(method.getProgram(), walk);
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
