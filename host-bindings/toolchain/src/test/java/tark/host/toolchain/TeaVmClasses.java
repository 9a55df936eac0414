package tark.host.toolchain;

import java.util.ArrayList;
import java.util.List;
import org.teavm.cache.IncrementalDependencyRegistration;
import org.teavm.diagnostics.Diagnostics;
import org.teavm.model.BasicBlock;
import org.teavm.model.ClassHierarchy;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderSource;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.ClassReaderSource;
import org.teavm.model.ElementModifier;
import org.teavm.model.Instruction;
import org.teavm.model.MethodHolder;
import org.teavm.model.PreOptimizingClassHolderSource;
import org.teavm.model.Program;
import org.teavm.model.ReferenceCache;
import org.teavm.model.ValueType;
import org.teavm.model.instructions.ExitInstruction;
import org.teavm.parsing.ClasspathClassHolderSource;
import org.teavm.parsing.ClasspathResourceProvider;

/** TeaVM's real classes, and hand-made ones in a shape TeaVM 0.13.1 does not have, for the transformer tests. */
final class TeaVmClasses {
    private TeaVmClasses() {
    }

    /**
     * TeaVM's classes as its compiler hands them to transformers: read from the classpath with the
     * class library mapped onto {@code java.*}, and pre-optimised. Fresh each time: transformers
     * change the classes in place.
     */
    static ClassHolderSource real() {
        return new PreOptimizingClassHolderSource(new ClasspathClassHolderSource(
                new ClasspathResourceProvider(TeaVmClasses.class.getClassLoader()), new ReferenceCache()));
    }

    static ClassHolderTransformerContext context(ClassReaderSource classes) {
        ClassHierarchy hierarchy = new ClassHierarchy(classes);
        return new ClassHolderTransformerContext() {
            @Override
            public ClassHierarchy getHierarchy() {
                return hierarchy;
            }

            @Override
            public Diagnostics getDiagnostics() {
                throw new UnsupportedOperationException("the transformers report by throwing");
            }

            @Override
            public IncrementalDependencyRegistration getIncrementalCache() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isObfuscated() {
                return true;
            }

            @Override
            public boolean isStrict() {
                return false;
            }

            @Override
            public String getEntryPoint() {
                return "main";
            }

            @Override
            public void submit(ClassHolder cls) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** A static method of {@code cls} whose body is {@code instructions} in one block, then {@code return}. */
    static MethodHolder staticMethod(ClassHolder cls, String name, ValueType result, Program program,
            Instruction... instructions) {
        MethodHolder method = new MethodHolder(name, result);
        method.getModifiers().add(ElementModifier.STATIC);
        BasicBlock block = program.createBasicBlock();
        for (Instruction instruction : instructions) {
            block.add(instruction);
        }
        block.add(new ExitInstruction());
        method.setProgram(program);
        cls.addMethod(method);
        return method;
    }

    /** Every instruction of a program, block by block. */
    static List<Instruction> instructions(Program program) {
        List<Instruction> all = new ArrayList<>();
        for (int i = 0; i < program.basicBlockCount(); i++) {
            for (Instruction instruction : program.basicBlockAt(i)) {
                all.add(instruction);
            }
        }
        return all;
    }

    static <T extends Instruction> List<T> instructions(Program program, Class<T> kind) {
        List<T> found = new ArrayList<>();
        for (Instruction instruction : instructions(program)) {
            if (kind.isInstance(instruction)) {
                found.add(kind.cast(instruction));
            }
        }
        return found;
    }
}
