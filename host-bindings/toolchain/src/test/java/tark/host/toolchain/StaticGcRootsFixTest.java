package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderSource;
import org.teavm.model.ClassReaderSource;
import org.teavm.model.FieldReference;
import org.teavm.model.Instruction;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
import org.teavm.model.instructions.GetFieldInstruction;
import org.teavm.model.instructions.IntegerConstantInstruction;
import org.teavm.model.instructions.InvocationType;
import org.teavm.model.instructions.InvokeInstruction;

class StaticGcRootsFixTest {
    private static Program walk(ClassHolder gc, String name) {
        return gc.getMethod(new MethodDescriptor(name, ValueType.VOID)).getProgram();
    }

    private static long sizeOfCalls(Program program) {
        return TeaVmClasses.instructions(program, InvokeInstruction.class).stream()
                .filter(call -> call.getMethod().equals(StaticGcRootsFix.ADDRESS_SIZE)).count();
    }

    /** A writer appending these DataPrimitives in order. */
    private static ClassReaderSource writerAppending(String... primitives) {
        ClassHolder writer = new ClassHolder(StaticGcRootsFix.WRITER);
        Program program = new Program();
        Instruction[] reads = new Instruction[primitives.length];
        for (int i = 0; i < primitives.length; i++) {
            GetFieldInstruction read = new GetFieldInstruction();
            read.setField(new FieldReference(StaticGcRootsFix.DATA_PRIMITIVES, primitives[i]));
            read.setFieldType(ValueType.object("org.teavm.backend.wasm.binary.DataPrimitives"));
            read.setReceiver(program.createVariable());
            reads[i] = read;
        }
        TeaVmClasses.staticMethod(writer, "writeStaticGcRoots", ValueType.VOID, program, reads);
        return name -> name.equals(StaticGcRootsFix.WRITER) ? writer : null;
    }

    private static InvokeInstruction sizeOf(Program program) {
        InvokeInstruction call = new InvokeInstruction();
        call.setType(InvocationType.SPECIAL);
        call.setMethod(StaticGcRootsFix.ADDRESS_SIZE);
        call.setReceiver(program.createVariable());
        return call;
    }

    @Test
    void teaVmsOwnWalksSkipTheEightByteLengthTheWriterWrites() {
        ClassHolderSource teavm = TeaVmClasses.real();
        ClassHolder gc = teavm.get(StaticGcRootsFix.GC);
        for (String name : StaticGcRootsFix.WALKS) {
            assertEquals(2, sizeOfCalls(walk(gc, name)), name + " before the fix");
        }
        new StaticGcRootsFix(teavm).transformClass(gc, TeaVmClasses.context(teavm));
        for (String name : StaticGcRootsFix.WALKS) {
            Program fixed = walk(gc, name);
            assertEquals(1, sizeOfCalls(fixed), name + ": only the stride is still Address.sizeOf()");
            assertTrue(TeaVmClasses.instructions(fixed, IntegerConstantInstruction.class).stream()
                    .anyMatch(constant -> constant.getConstant() == 8), name + ": the header skip is 8");
        }
    }

    @Test
    void aWriterThatWritesTheLengthAsAnIntStopsTheBuild() {
        ClassHolderSource teavm = TeaVmClasses.real();
        ClassHolder gc = teavm.get(StaticGcRootsFix.GC);
        StaticGcRootsFix fix = new StaticGcRootsFix(writerAppending("INT", "ADDRESS"));
        UnexpectedTeaVm refused = assertThrows(UnexpectedTeaVm.class,
                () -> fix.transformClass(gc, TeaVmClasses.context(teavm)));
        assertTrue(refused.getMessage().contains("writeStaticGcRoots writes [INT, ADDRESS]"), refused.getMessage());
        assertTrue(refused.getMessage().contains(TeaVmVersion.UPGRADING), refused.getMessage());
        assertEquals(2, sizeOfCalls(walk(gc, StaticGcRootsFix.WALKS[0])), "the walk is left alone");
    }

    @Test
    void aWriterThatIsGoneStopsTheBuild() {
        ClassHolderSource teavm = TeaVmClasses.real();
        ClassHolder gc = teavm.get(StaticGcRootsFix.GC);
        assertThrows(UnexpectedTeaVm.class,
                () -> new StaticGcRootsFix(name -> null).transformClass(gc, TeaVmClasses.context(teavm)));
    }

    @Test
    void walksThatNoLongerSkipAHeaderOfAddressSizeStopTheBuild() {
        ClassHolder gc = new ClassHolder(StaticGcRootsFix.GC);
        for (String name : StaticGcRootsFix.WALKS) {
            Program program = new Program();
            TeaVmClasses.staticMethod(gc, name, ValueType.VOID, program, sizeOf(program));
        }
        ClassHolderSource teavm = TeaVmClasses.real();
        UnexpectedTeaVm refused = assertThrows(UnexpectedTeaVm.class,
                () -> new StaticGcRootsFix(teavm).transformClass(gc, TeaVmClasses.context(teavm)));
        assertTrue(refused.getMessage().contains(StaticGcRootsFix.WALKS[0]), refused.getMessage());
    }

    @Test
    void otherClassesAreLeftAlone() {
        ClassHolderSource teavm = TeaVmClasses.real();
        ClassHolder runtimeClass = teavm.get(CatchByParentChain.RUNTIME_CLASS);
        String before = runtimeClass.getMethods().stream().map(m -> m.getReference().toString())
                .collect(Collectors.joining());
        new StaticGcRootsFix(name -> null).transformClass(runtimeClass, TeaVmClasses.context(teavm));
        assertEquals(before, runtimeClass.getMethods().stream().map(m -> m.getReference().toString())
                .collect(Collectors.joining()));
    }
}
