package tark.host.build;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.teavm.diagnostics.Problem;
import org.teavm.diagnostics.ProblemSeverity;
import org.teavm.tooling.ConsoleTeaVMToolLog;
import org.teavm.tooling.TeaVMTargetType;
import org.teavm.tooling.TeaVMTool;
import org.teavm.vm.TeaVMOptimizationLevel;

/**
 * Compiles a tark plugin to a WASI core module with TeaVM. TeaVM 0.11-0.13 have no Maven plugin, so a
 * plugin's pom runs this with exec-maven-plugin on its compile classpath.
 *
 * <p>Arguments: main class, output directory, output file name. The module keeps only the exports a
 * tark host calls (see {@link HostExportsOnly}).
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
        TeaVMTool tool = new TeaVMTool();
        tool.setTargetType(TeaVMTargetType.WEBASSEMBLY_WASI);
        tool.setMainClass(args[0]);
        tool.setTargetDirectory(new File(args[1]));
        tool.setTargetFileName(args[2]);
        tool.setClassLoader(Thread.currentThread().getContextClassLoader());
        // ADVANCED: 20% smaller than SIMPLE; FULL's inlining doubles the module (measured: 278 KB vs 593 KB).
        tool.setOptimizationLevel(TeaVMOptimizationLevel.valueOf(System.getProperty("teavm.optimization", "ADVANCED")));
        // -Dteavm.obfuscated=false keeps readable function names, for size analysis.
        tool.setObfuscated(Boolean.parseBoolean(System.getProperty("teavm.obfuscated", "true")));
        tool.setDebugInformationGenerated(false);
        tool.setIncremental(false);
        tool.setMinHeapSize(MIN_HEAP);
        tool.setMaxHeapSize(MAX_HEAP);
        tool.getTransformers().add(NoCommandLineArguments.class.getName());
        tool.getTransformers().add(StaticGcRootsFix.class.getName());
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
        Path module = Paths.get(args[1], args[2]);
        Files.write(module, HostExportsOnly.filter(Files.readAllBytes(module)));
    }
}
