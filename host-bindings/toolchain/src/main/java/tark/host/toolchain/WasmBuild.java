package tark.host.toolchain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.teavm.callgraph.CallGraphNode;
import org.teavm.callgraph.CallSite;
import org.teavm.diagnostics.Problem;
import org.teavm.diagnostics.ProblemSeverity;
import org.teavm.dependency.DependencyInfo;
import org.teavm.model.FieldReference;
import org.teavm.model.MethodReader;
import org.teavm.model.MethodReference;
import org.teavm.model.ProgramReader;
import org.teavm.model.ValueType;
import org.teavm.model.VariableReader;
import org.teavm.model.instructions.AbstractInstructionReader;
import org.teavm.tooling.ConsoleTeaVMToolLog;
import org.teavm.tooling.TeaVMTargetType;
import org.teavm.tooling.TeaVMTool;
import org.teavm.tooling.TeaVMToolException;
import org.teavm.vm.TeaVMOptimizationLevel;

/**
 * Compiles a tark plugin to a WASI core module with TeaVM. TeaVM 0.11-0.13 have no Maven plugin, so a
 * plugin's pom runs this with exec-maven-plugin on its compile classpath.
 *
 * <p>Arguments: main class, output directory, output file name. Beside the module it lists the classes
 * compiled into it ({@link #classList}). The module keeps only the exports a
 * tark host calls (see {@link HostExportsOnly}), and its function table only the functions code can
 * call through it (see {@link UnreadTableSlots}).
 */
public final class WasmBuild {
    /**
     * TeaVM's heap, fixed from the start at the cap WasmMemory enforces: it never grows, so nothing
     * moves under the arena laid out above it, and untouched heap pages cost nothing in wasmtime.
     */
    private static final int MIN_HEAP = 16 << 20;
    /**
     * Only sets the module's declared maximum memory; WasmMemory caps the heap itself far lower at run
     * time and uses the rest for memory lent to the host.
     */
    private static final int MAX_HEAP = 64 << 20;

    private WasmBuild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: WasmBuild <main class> <output dir> <file name>");
        }
        // -Dteavm.obfuscated=false keeps readable function names (and call-site names in the data), for analysis.
        boolean obfuscated = Boolean.parseBoolean(System.getProperty("teavm.obfuscated", "true"));
        build(args[0], Paths.get(args[1], args[2]), Thread.currentThread().getContextClassLoader(), obfuscated);
    }

    /**
     * Compiles {@code mainClass} from {@code classes} into {@code module}, rewritten, and answers which
     * kinds of table slots it found unread (the build's tests check that on a probe program).
     */
    static Set<UnreadTableSlots.Kind> build(String mainClass, Path module, ClassLoader classes, boolean obfuscated)
            throws IOException, TeaVMToolException {
        TeaVmVersion.require(classes);
        TeaVMTool tool = new TeaVMTool();
        tool.setTargetType(TeaVMTargetType.WEBASSEMBLY_WASI);
        tool.setMainClass(mainClass);
        tool.setTargetDirectory(module.getParent().toFile());
        tool.setTargetFileName(module.getFileName().toString());
        tool.setClassLoader(classes);
        // ADVANCED: 20% smaller than SIMPLE; FULL's inlining doubles the module (measured: 278 KB vs 593 KB).
        tool.setOptimizationLevel(TeaVMOptimizationLevel.valueOf(System.getProperty("teavm.optimization", "ADVANCED")));
        tool.setObfuscated(obfuscated);
        tool.setDebugInformationGenerated(false);
        tool.setIncremental(false);
        tool.setMinHeapSize(MIN_HEAP);
        tool.setMaxHeapSize(MAX_HEAP);
        // Every transformer and intrinsic the build adds is registered by WasmBuildPlugin.
        tool.getProperties().setProperty(WasmBuildPlugin.ACTIVE, "true");
        tool.setLog(new ConsoleTeaVMToolLog(false));
        tool.generate();

        boolean failed = false;
        for (Problem problem : tool.getProblemProvider().getProblems()) {
            System.err.println(problem.getSeverity() + ": " + problem.getText() + " at " + problem.getLocation());
            failed |= problem.getSeverity() == ProblemSeverity.ERROR;
        }
        if (failed) {
            throw new IllegalStateException("TeaVM reported errors; see above");
        }
        List<MethodReference> locationReaders = locationReaders(tool.getDependencyInfo().getReachableMethods());
        if (!locationReaders.isEmpty()) {
            throw new IllegalStateException("the module reads a JSON parse error's location, which JsonParserSize"
                    + " leaves out: " + locationReaders);
        }
        Set<UnreadTableSlots.Kind> unread = unreadTableKinds(tool);
        Files.write(classList(module), new TreeSet<>(tool.getDependencyInfo().getReachableClasses()));
        byte[] filtered = HostExportsOnly.filter(Files.readAllBytes(module));
        Files.write(module, UnreadTableSlots.redirect(filtered, unread, !obfuscated));
        return unread;
    }

    /**
     * Where the build lists, one a line and sorted, the classes compiled into {@code module}: what
     * {@link ModuleNotice} names the module's third-party components from.
     */
    static Path classList(Path module) {
        return module.resolveSibling(module.getFileName() + ".classes");
    }

    /** The methods reading a minimal-json parse error's location among {@code reachable}; it has none here. */
    static List<MethodReference> locationReaders(Collection<MethodReference> reachable) {
        List<MethodReference> readers = new ArrayList<>(JsonParserSize.LOCATION_READERS);
        readers.retainAll(reachable);
        return readers;
    }

    /** Which kinds of table slots no code reads, decided from the compiled program's call graph. */
    private static Set<UnreadTableSlots.Kind> unreadTableKinds(TeaVMTool tool) {
        DependencyInfo program = tool.getDependencyInfo();
        Set<UnreadTableSlots.Kind> kinds = EnumSet.noneOf(UnreadTableSlots.Kind.class);
        // After CatchByParentChain, type tests are read through the table only by Class.isInstance, and
        // if only System.arraycopy calls that, only for the component type of an array.
        MethodReference isAssignable = new MethodReference("java.lang.Class", "isAssignableFromLowLevel",
                ValueType.object(CatchByParentChain.RUNTIME_CLASS), ValueType.BOOLEAN);
        MethodReference isInstance = new MethodReference("java.lang.Class", "isInstanceLowLevel",
                ValueType.object("org.teavm.runtime.RuntimeObject"), ValueType.BOOLEAN);
        MethodReference arraycopy = new MethodReference("java.lang.System", "arraycopy", ValueType.object(
                "java.lang.Object"), ValueType.INTEGER, ValueType.object("java.lang.Object"), ValueType.INTEGER,
                ValueType.INTEGER, ValueType.VOID);
        if (Set.of(isAssignable).containsAll(readersOf(program, CatchByParentChain.IS_SUPERTYPE_OF))
                && Set.of(isInstance).containsAll(callersOf(program, isAssignable))
                && Set.of(arraycopy).containsAll(callersOf(program, isInstance))) {
            kinds.add(UnreadTableSlots.Kind.TYPE_TESTS);
        }
        if (readersOf(program, new FieldReference(CatchByParentChain.RUNTIME_CLASS, "init")).isEmpty()) {
            kinds.add(UnreadTableSlots.Kind.CLASS_INITIALIZERS);
        }
        return kinds;
    }

    /** Reachable methods reading a field. (TeaVM links every RuntimeClass field for its layout, so reachable fields say nothing.) */
    private static Set<MethodReference> readersOf(DependencyInfo program, FieldReference field) {
        Set<MethodReference> readers = new HashSet<>();
        for (MethodReference reachable : program.getReachableMethods()) {
            MethodReader method = program.getClassSource().resolve(reachable);
            ProgramReader body = method != null ? method.getProgram() : null;
            for (int i = 0; body != null && i < body.basicBlockCount(); i++) {
                body.basicBlockAt(i).readAllInstructions(new AbstractInstructionReader() {
                    @Override
                    public void getField(VariableReader receiver, VariableReader instance, FieldReference read,
                            ValueType type) {
                        if (read.equals(field)) {
                            readers.add(reachable);
                        }
                    }
                });
            }
        }
        return readers;
    }

    private static Set<MethodReference> callersOf(DependencyInfo program, MethodReference method) {
        Set<MethodReference> callers = new HashSet<>();
        CallGraphNode node = program.getCallGraph().getNode(method);
        if (node != null) {
            for (CallSite site : node.getCallerCallSites()) {
                for (CallGraphNode caller : site.getCallers()) {
                    callers.add(caller.getMethod());
                }
            }
        }
        return callers;
    }
}
