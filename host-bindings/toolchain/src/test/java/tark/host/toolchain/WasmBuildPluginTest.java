package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.teavm.backend.wasm.TeaVMWasmHost;
import org.teavm.backend.wasm.WasmTarget;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsicFactory;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.MethodReference;
import org.teavm.model.ValueType;
import org.teavm.parsing.ClasspathResourceProvider;
import org.teavm.vm.TeaVMPluginLoader;
import org.teavm.vm.spi.TeaVMHost;
import org.teavm.vm.spi.TeaVMPlugin;

class WasmBuildPluginTest {
    /** What a plugin registered with TeaVM. */
    private final List<Object> transformers = new ArrayList<>();
    private final List<WasmIntrinsicFactory> intrinsics = new ArrayList<>();
    private final List<Boolean> obfuscation = new ArrayList<>();
    private final WasmTarget target = new WasmTarget() {
        @Override
        public void add(WasmIntrinsicFactory factory) {
            intrinsics.add(factory);
        }

        @Override
        public void setObfuscated(boolean obfuscated) {
            obfuscation.add(obfuscated);
        }
    };

    /** A TeaVM host that records what is added to it, with these properties. */
    private TeaVMHost host(Properties properties) {
        return (TeaVMHost) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {TeaVMHost.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getProperties":
                            return properties;
                        case "getExtension":
                            return args[0] == TeaVMWasmHost.class ? target : null;
                        case "getClassLoader":
                            return getClass().getClassLoader();
                        case "getResourceProvider":
                            return new ClasspathResourceProvider(getClass().getClassLoader());
                        case "add":
                            if (args.length == 1 && args[0] instanceof ClassHolderTransformer) {
                                transformers.add(args[0]);
                                return null;
                            }
                            throw new AssertionError("unexpected registration: " + method);
                        default:
                            throw new AssertionError("unexpected call: " + method);
                    }
                });
    }

    private static Properties active() {
        Properties properties = new Properties();
        properties.setProperty(WasmBuildPlugin.ACTIVE, "true");
        return properties;
    }

    @Test
    void teaVmFindsThePluginOnTheClasspath() {
        List<TeaVMPlugin> plugins = TeaVMPluginLoader.load(getClass().getClassLoader());
        assertEquals(1, plugins.stream().filter(p -> p instanceof WasmBuildPlugin).count());
    }

    @Test
    void itRegistersEveryTransformerAndTheNamesIntrinsic() {
        new WasmBuildPlugin().install(host(active()));
        assertEquals(List.of(NoCommandLineArguments.class, StaticGcRootsFix.class, CatchByParentChain.class,
                NoStackTraces.class, JsonParserSize.class), transformers.stream().map(Object::getClass).collect(Collectors.toList()));
        assertEquals(1, intrinsics.size());
        assertInstanceOf(FunctionNames.class, intrinsics.get(0));
    }

    @Test
    void itDoesNothingUnlessWasmBuildRunsTeaVm() {
        new WasmBuildPlugin().install(host(new Properties()));
        assertEquals(List.of(), transformers);
        assertEquals(List.of(), intrinsics);
    }

    @Test
    void functionNamesTurnsObfuscationOffOnceAtTheFirstCallAndAppliesToNone() {
        new WasmBuildPlugin().install(host(active()));
        var names = intrinsics.get(0).create(null);
        MethodReference any = new MethodReference("a.B", "c", ValueType.VOID);
        assertEquals(List.of(), obfuscation);
        assertFalse(names.isApplicable(any));
        assertFalse(names.isApplicable(any));
        assertEquals(List.of(false), obfuscation);
    }
}
