package tark.host.toolchain;

import org.teavm.backend.wasm.TeaVMWasmHost;
import org.teavm.backend.wasm.WasmTarget;
import org.teavm.model.ReferenceCache;
import org.teavm.parsing.ClasspathClassHolderSource;
import org.teavm.vm.spi.TeaVMHost;
import org.teavm.vm.spi.TeaVMPlugin;

/**
 * The build's one TeaVM plugin (listed in {@code META-INF/services}): every transformer and
 * intrinsic the build adds to TeaVM is registered here. Active only when {@link WasmBuild} runs
 * TeaVM and sets {@value #ACTIVE}: what FunctionNames asks TeaVM for must be removed by WasmBuild's
 * rewrites, and another TeaVM build with this jar on its classpath is left alone.
 */
public final class WasmBuildPlugin implements TeaVMPlugin {
    static final String ACTIVE = "tark.wasm.build";

    @Override
    public void install(TeaVMHost host) {
        if (!Boolean.parseBoolean(host.getProperties().getProperty(ACTIVE))) {
            return;
        }
        TeaVMWasmHost wasm = host.getExtension(TeaVMWasmHost.class);
        if (!(wasm instanceof WasmTarget)) {
            throw new IllegalStateException("WasmBuildPlugin only handles TeaVM's linear-memory wasm target");
        }
        host.add(new NoCommandLineArguments());
        // The fix checks the writer of the list as well as its readers; the writer is compiler code.
        host.add(new StaticGcRootsFix(new ClasspathClassHolderSource(host.getResourceProvider(),
                new ReferenceCache())));
        host.add(new CatchByParentChain());
        host.add(new NoStackTraces());
        host.add(new JsonParserSize());
        wasm.add(new FunctionNames((WasmTarget) wasm));
    }
}
