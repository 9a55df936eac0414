package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderSource;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReference;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
import org.teavm.model.Variable;
import org.teavm.model.instructions.GetFieldInstruction;
import org.teavm.model.instructions.InvocationType;
import org.teavm.model.instructions.InvokeInstruction;

class CatchByParentChainTest {
    private static final String IS_SUPERTYPE_FUNCTION = "org.teavm.runtime.IsSupertypeFunction";
    private static final MethodReference APPLY = new MethodReference(IS_SUPERTYPE_FUNCTION, "apply",
            ValueType.object(CatchByParentChain.RUNTIME_CLASS), ValueType.BOOLEAN);

    private static Program dispatch(ClassHolder exceptionHandling) {
        return exceptionHandling.getMethods().stream().filter(m -> m.getName().equals("throwException"))
                .findFirst().orElseThrow().getProgram();
    }

    private static List<String> calls(Program program) {
        return TeaVmClasses.instructions(program, InvokeInstruction.class).stream()
                .map(call -> call.getMethod().getClassName() + "." + call.getMethod().getName())
                .collect(Collectors.toList());
    }

    private static long pointerReads(Program program) {
        return TeaVmClasses.instructions(program, GetFieldInstruction.class).stream()
                .filter(read -> read.getField().equals(CatchByParentChain.IS_SUPERTYPE_OF)).count();
    }

    private static GetFieldInstruction readPointer(Program program, Variable catchType) {
        GetFieldInstruction read = new GetFieldInstruction();
        read.setInstance(catchType);
        read.setField(CatchByParentChain.IS_SUPERTYPE_OF);
        read.setFieldType(ValueType.object(IS_SUPERTYPE_FUNCTION));
        read.setReceiver(program.createVariable());
        return read;
    }

    private static InvokeInstruction call(Program program, MethodReference method, Variable instance,
            Variable... arguments) {
        InvokeInstruction call = new InvokeInstruction();
        call.setType(instance != null ? InvocationType.VIRTUAL : InvocationType.SPECIAL);
        call.setMethod(method);
        call.setInstance(instance);
        call.setArguments(arguments);
        call.setReceiver(program.createVariable());
        return call;
    }

    /** ExceptionHandling whose throwException(catchType, thrown) has these instructions; variables 0 and 1. */
    private static ClassHolder exceptionHandling(Program program, java.util.function.Function<Variable[],
            org.teavm.model.Instruction[]> body) {
        Variable catchType = program.createVariable();
        Variable thrown = program.createVariable();
        ClassHolder cls = new ClassHolder(CatchByParentChain.EXCEPTION_HANDLING);
        TeaVmClasses.staticMethod(cls, "throwException", ValueType.VOID, program,
                body.apply(new Variable[] {catchType, thrown}));
        return cls;
    }

    @Test
    void teaVmsDispatchTestsACatchClauseByWalkingParentsInsteadOfThroughTheTable() {
        ClassHolderSource teavm = TeaVmClasses.real();
        ClassHolder handling = teavm.get(CatchByParentChain.EXCEPTION_HANDLING);
        assertEquals(1, pointerReads(dispatch(handling)));
        assertTrue(calls(dispatch(handling)).contains(IS_SUPERTYPE_FUNCTION + ".apply"));

        new CatchByParentChain().transformClass(handling, TeaVmClasses.context(teavm));
        Program rewritten = dispatch(handling);
        assertEquals(0, pointerReads(rewritten));
        assertTrue(calls(rewritten).contains(CatchTypes.class.getName() + ".catches"), calls(rewritten).toString());
        assertTrue(!calls(rewritten).contains(IS_SUPERTYPE_FUNCTION + ".apply"), calls(rewritten).toString());
    }

    @Test
    void aDispatchThatNoLongerReadsThePointerStopsTheBuild() {
        ClassHolder handling = exceptionHandling(new Program(), vars -> new org.teavm.model.Instruction[0]);
        UnexpectedTeaVm refused = assertThrows(UnexpectedTeaVm.class, () -> new CatchByParentChain()
                .transformClass(handling, TeaVmClasses.context(TeaVmClasses.real())));
        assertTrue(refused.getMessage().contains("0 reads of RuntimeClass.isSupertypeOf"), refused.getMessage());
    }

    @Test
    void aPointerUsedForMoreThanOneTestStopsTheBuild() {
        Program program = new Program();
        ClassHolder handling = exceptionHandling(program, vars -> {
            GetFieldInstruction read = readPointer(program, vars[0]);
            return new org.teavm.model.Instruction[] {read,
                call(program, APPLY, read.getReceiver(), vars[1]),
                call(program, APPLY, read.getReceiver(), vars[0])};
        });
        UnexpectedTeaVm refused = assertThrows(UnexpectedTeaVm.class, () -> new CatchByParentChain()
                .transformClass(handling, TeaVmClasses.context(TeaVmClasses.real())));
        assertTrue(refused.getMessage().contains("other than by one apply() call"), refused.getMessage());
        assertEquals(1, pointerReads(dispatch(handling)), "the dispatch is left alone");
    }

    @Test
    void aDispatchThatIsGoneStopsTheBuild() {
        ClassHolder handling = new ClassHolder(CatchByParentChain.EXCEPTION_HANDLING);
        handling.addMethod(new MethodHolder("somethingElse", ValueType.VOID));
        assertThrows(UnexpectedTeaVm.class, () -> new CatchByParentChain()
                .transformClass(handling, TeaVmClasses.context(TeaVmClasses.real())));
    }
}
