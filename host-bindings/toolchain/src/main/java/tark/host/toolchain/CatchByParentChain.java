package tark.host.toolchain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.teavm.model.BasicBlock;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.FieldReference;
import org.teavm.model.Instruction;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReference;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
import org.teavm.model.Variable;
import org.teavm.model.instructions.GetFieldInstruction;
import org.teavm.model.instructions.InvocationType;
import org.teavm.model.instructions.InvokeInstruction;
import org.teavm.model.util.UsageExtractor;

/**
 * Build-time TeaVM transformer: exception dispatch tests a {@code catch} clause with
 * {@link CatchTypes#catches} instead of the catch class's {@code isSupertypeOf} function pointer.
 *
 * <p>Why: TeaVM gives every class such a function and puts it in the function table, and wasmtime
 * compiles a trampoline for every function in a table. Those ~130 functions and their trampolines
 * were a fifth of the module's compile time on each provider init, though only exception dispatch
 * and {@code System.arraycopy}'s element check call them through the table. With dispatch no longer
 * reading the pointers, {@link UnreadTableSlots} keeps only the ones arraycopy may ask for, and the
 * optimiser drops the rest.
 */
final class CatchByParentChain implements ClassHolderTransformer {
    static final String EXCEPTION_HANDLING = "org.teavm.runtime.ExceptionHandling";
    static final String RUNTIME_CLASS = "org.teavm.runtime.RuntimeClass";
    static final FieldReference IS_SUPERTYPE_OF = new FieldReference(RUNTIME_CLASS, "isSupertypeOf");
    private static final String IS_SUPERTYPE_FUNCTION = "org.teavm.runtime.IsSupertypeFunction";
    private static final MethodReference CATCHES = new MethodReference(CatchTypes.class.getName(), "catches",
            ValueType.object(RUNTIME_CLASS), ValueType.object(RUNTIME_CLASS), ValueType.BOOLEAN);

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (!cls.getName().equals(EXCEPTION_HANDLING)) {
            return;
        }
        MethodHolder dispatch = cls.getMethods().stream()
                .filter(method -> method.getName().equals("throwException") && method.getProgram() != null)
                .findFirst()
                .orElseThrow(() -> unexpected("throwException not found"));
        rewrite(dispatch.getProgram());
    }

    /** {@code catchType.isSupertypeOf.apply(thrown)} becomes {@code CatchTypes.catches(catchType, thrown)}. */
    private static void rewrite(Program program) {
        List<GetFieldInstruction> pointerReads = new ArrayList<>();
        for (BasicBlock block : blocks(program)) {
            for (Instruction instruction : block) {
                if (instruction instanceof GetFieldInstruction
                        && ((GetFieldInstruction) instruction).getField().equals(IS_SUPERTYPE_OF)) {
                    pointerReads.add((GetFieldInstruction) instruction);
                }
            }
        }
        if (pointerReads.size() != 1) {
            throw unexpected(pointerReads.size() + " reads of RuntimeClass.isSupertypeOf, expected 1");
        }
        GetFieldInstruction pointerRead = pointerReads.get(0);
        List<Instruction> uses = usesOf(program, pointerRead.getReceiver());
        if (uses.size() != 1 || !isSupertypeCall(uses.get(0), pointerRead.getReceiver())) {
            throw unexpected("the isSupertypeOf pointer is used other than by one apply() call");
        }
        InvokeInstruction apply = (InvokeInstruction) uses.get(0);
        InvokeInstruction catches = new InvokeInstruction();
        catches.setType(InvocationType.SPECIAL);
        catches.setMethod(CATCHES);
        catches.setArguments(pointerRead.getInstance(), apply.getArguments().get(0));
        catches.setReceiver(apply.getReceiver());
        catches.setLocation(apply.getLocation());
        apply.replace(catches);
        pointerRead.delete();
    }

    private static boolean isSupertypeCall(Instruction instruction, Variable pointer) {
        if (!(instruction instanceof InvokeInstruction)) {
            return false;
        }
        InvokeInstruction invoke = (InvokeInstruction) instruction;
        return invoke.getInstance() == pointer && invoke.getArguments().size() == 1
                && invoke.getMethod().getClassName().equals(IS_SUPERTYPE_FUNCTION)
                && invoke.getMethod().getName().equals("apply");
    }

    /** Instructions reading {@code variable}; a phi reading it counts as an unexpected use. */
    private static List<Instruction> usesOf(Program program, Variable variable) {
        List<Instruction> uses = new ArrayList<>();
        UsageExtractor usage = new UsageExtractor();
        for (BasicBlock block : blocks(program)) {
            for (Instruction instruction : block) {
                instruction.acceptVisitor(usage);
                if (Arrays.asList(usage.getUsedVariables()).contains(variable)) {
                    uses.add(instruction);
                }
            }
            boolean inPhi = block.getPhis().stream()
                    .anyMatch(phi -> phi.getIncomings().stream().anyMatch(in -> in.getValue() == variable));
            if (inPhi) {
                throw unexpected("the isSupertypeOf pointer flows into a phi");
            }
        }
        return uses;
    }

    private static List<BasicBlock> blocks(Program program) {
        List<BasicBlock> blocks = new ArrayList<>();
        for (int i = 0; i < program.basicBlockCount(); i++) {
            blocks.add(program.basicBlockAt(i));
        }
        return blocks;
    }

    private static IllegalStateException unexpected(String what) {
        return new UnexpectedTeaVm(EXCEPTION_HANDLING + ": " + what);
    }
}
