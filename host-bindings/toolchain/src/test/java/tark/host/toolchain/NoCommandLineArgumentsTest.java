package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderSource;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
import org.teavm.model.instructions.ConstructArrayInstruction;
import org.teavm.model.instructions.IntegerConstantInstruction;
import org.teavm.model.instructions.InvokeInstruction;

class NoCommandLineArgumentsTest {
    private static final String WASI_SUPPORT = "org.teavm.backend.wasm.runtime.WasiSupport";
    private static final ValueType STRING = ValueType.object("java.lang.String");
    private static final MethodDescriptor GET_ARGS = new MethodDescriptor("getArgs", ValueType.arrayOf(STRING));

    @Test
    void teaVmsGetArgsReturnsAnEmptyArrayWithoutAskingWasi() {
        ClassHolderSource teavm = TeaVmClasses.real();
        ClassHolder wasi = teavm.get(WASI_SUPPORT);
        assertFalse(TeaVmClasses.instructions(wasi.getMethod(GET_ARGS).getProgram(), InvokeInstruction.class)
                .isEmpty(), "TeaVM's own getArgs calls WASI and decodes");

        new NoCommandLineArguments().transformClass(wasi, TeaVmClasses.context(teavm));
        Program getArgs = wasi.getMethod(GET_ARGS).getProgram();
        assertTrue(TeaVmClasses.instructions(getArgs, InvokeInstruction.class).isEmpty());
        List<ConstructArrayInstruction> arrays = TeaVmClasses.instructions(getArgs, ConstructArrayInstruction.class);
        assertEquals(1, arrays.size());
        assertEquals(STRING, arrays.get(0).getItemType());
        assertEquals(List.of(0), TeaVmClasses.instructions(getArgs, IntegerConstantInstruction.class).stream()
                .map(IntegerConstantInstruction::getConstant).collect(java.util.stream.Collectors.toList()));
    }

    @Test
    void wasiSupportWithoutGetArgsStopsTheBuild() {
        ClassHolder wasi = new ClassHolder(WASI_SUPPORT);
        assertThrows(UnexpectedTeaVm.class, () -> new NoCommandLineArguments()
                .transformClass(wasi, TeaVmClasses.context(TeaVmClasses.real())));
    }
}
