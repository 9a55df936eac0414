package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.teavm.interop.Export;

/** The wasm exports' names and signatures, as tark looks them up (the bodies need wasm memory). */
class ExportsTest {
    /**
     * Export name → number of i32 parameters; every one returns i32. tark 0.12 calls the older auth
     * interface (display_name, status, get_token, get_endpoint, logout, init_with_credentials) only for a
     * plugin named gemini-auth, so this plugin does not export it.
     */
    private static final Map<String, Integer> EXPECTED = new TreeMap<>(Map.ofEntries(
            Map.entry("provider_auth_credentials", 1),
            Map.entry("provider_auth_refresh", 1),
            Map.entry("provider_auth_status", 0),
            Map.entry("provider_auth_init", 2),
            Map.entry("provider_auth_logout", 0),
            Map.entry("auth_process_tokens", 3),
            Map.entry("provider_info", 1),
            Map.entry("provider_models", 1),
            Map.entry("provider_chat", 5)));

    @Test
    void everyExportTarkCallsHasItsSignature() {
        Map<String, Integer> found = new TreeMap<>();
        for (Method method : Exports.class.getDeclaredMethods()) {
            Export export = method.getAnnotation(Export.class);
            if (export == null) {
                continue;
            }
            assertTrue(Modifier.isStatic(method.getModifiers()), export.name());
            assertEquals(int.class, method.getReturnType(), export.name());
            for (Class<?> parameter : method.getParameterTypes()) {
                assertEquals(int.class, parameter, export.name());
            }
            found.put(export.name(), method.getParameterCount());
        }
        assertEquals(EXPECTED, found);
    }
}
