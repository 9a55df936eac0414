package tark.host.toolchain;

import org.teavm.ast.InvocationExpr;
import org.teavm.backend.wasm.WasmTarget;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsic;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsicFactory;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsicFactoryContext;
import org.teavm.backend.wasm.intrinsics.WasmIntrinsicManager;
import org.teavm.backend.wasm.model.expression.WasmExpression;
import org.teavm.model.MethodReference;

/**
 * Registered by {@link WasmBuildPlugin}: the module gets a name section for its functions, which
 * {@link UnreadTableSlots} reads and then removes.
 *
 * <p>TeaVM writes that section only for an unobfuscated build, and the same switch would also put
 * every call site's method name and line into the module's data (80 KB). So the build starts
 * obfuscated, and the switch is turned off once method bodies are being generated: by then the
 * call-site tables have been set up, and the only reader left is the part that writes the sections.
 */
final class FunctionNames implements WasmIntrinsicFactory {
    private final WasmTarget target;

    FunctionNames(WasmTarget target) {
        this.target = target;
    }

    @Override
    public WasmIntrinsic create(WasmIntrinsicFactoryContext context) {
        return new WasmIntrinsic() {
            private boolean named;

            /** Asked for every call TeaVM generates; applies to none. */
            @Override
            public boolean isApplicable(MethodReference method) {
                if (!named) {
                    target.setObfuscated(false);
                    named = true;
                }
                return false;
            }

            @Override
            public WasmExpression apply(InvocationExpr invocation, WasmIntrinsicManager manager) {
                throw new UnsupportedOperationException("applies to no method");
            }
        };
    }
}
