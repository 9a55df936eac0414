package chatgpt.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.teavm.interop.Export;

/** The wasm exports' names and signatures, as tark looks them up (the bodies need wasm memory). */
class ExportsTest {
    /** Export name → number of i32 parameters; every one returns i32. */
    private static final Map<String, Integer> EXPECTED = new TreeMap<>(Map.ofEntries(
            Map.entry("provider_auth_credentials", 1),
            Map.entry("provider_auth_refresh", 1),
            Map.entry("provider_auth_status", 0),
            Map.entry("provider_auth_init", 2),
            Map.entry("provider_auth_logout", 0),
            Map.entry("auth_process_tokens", 3),
            Map.entry("provider_info", 1),
            Map.entry("provider_models", 1),
            Map.entry("provider_chat", 5),
            Map.entry("display_name", 1),
            Map.entry("status", 0),
            Map.entry("get_token", 1),
            Map.entry("get_endpoint", 1),
            Map.entry("logout", 0),
            Map.entry("init_with_credentials", 2)));

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

    @Test
    void everyExportHasItsNameForTheLog() throws Exception {
        Constructor<Exports> constructor = Exports.class.getDeclaredConstructor();
        constructor.setAccessible(true);
        Exports exports = constructor.newInstance();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < EXPECTED.size(); i++) {
            names.add(exports.name(i));
        }
        assertEquals(EXPECTED.keySet(), names, Arrays.toString(names.toArray()));
    }
}
