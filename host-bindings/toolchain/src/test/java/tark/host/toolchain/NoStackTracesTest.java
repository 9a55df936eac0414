package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderSource;
import org.teavm.model.Instruction;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
import org.teavm.model.instructions.ExitInstruction;
import org.teavm.model.instructions.InvokeInstruction;
import org.teavm.model.instructions.JumpInstruction;

class NoStackTracesTest {
    private static final String THROWABLE = "java.lang.Throwable";
    private static final MethodDescriptor FILL = new MethodDescriptor("fillInStackTrace", ValueType.object(THROWABLE));

    @Test
    void teaVmsThrowableRecordsNoTraceAndReturnsItself() {
        ClassHolderSource teavm = TeaVmClasses.real();
        ClassHolder throwable = teavm.get(THROWABLE);
        assertFalse(TeaVmClasses.instructions(throwable.getMethod(FILL).getProgram(), InvokeInstruction.class)
                .isEmpty(), "TeaVM's own fillInStackTrace walks the stack");

        new NoStackTraces().transformClass(throwable, TeaVmClasses.context(teavm));
        Program fill = throwable.getMethod(FILL).getProgram();
        assertTrue(TeaVmClasses.instructions(fill, InvokeInstruction.class).isEmpty(), "no stack walk");
        List<ExitInstruction> exits = TeaVmClasses.instructions(fill, ExitInstruction.class);
        assertEquals(1, exits.size());
        assertEquals(0, exits.get(0).getValueToReturn().getIndex(), "returns this");
        // Nothing else: a jump into the block that returns.
        List<Instruction> body = TeaVmClasses.instructions(fill);
        assertTrue(body.stream().allMatch(i -> i instanceof ExitInstruction || i instanceof JumpInstruction),
                body.toString());
    }

    @Test
    void aThrowableWithoutFillInStackTraceStopsTheBuild() {
        ClassHolder throwable = new ClassHolder(THROWABLE);
        assertThrows(UnexpectedTeaVm.class,
                () -> new NoStackTraces().transformClass(throwable, TeaVmClasses.context(TeaVmClasses.real())));
    }
}
