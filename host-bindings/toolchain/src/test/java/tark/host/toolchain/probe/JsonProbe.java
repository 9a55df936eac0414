package tark.host.toolchain.probe;

import com.eclipsesource.json.Json;
import org.teavm.interop.Export;

/** A program that compiles a third-party library into its module: the notice must then name it. */
public final class JsonProbe {
    private JsonProbe() {
    }

    /** TeaVM needs an entry point; tark never calls it. */
    public static void main(String[] args) {
    }

    /** The number {@code {"n": N}} holds, read with minimal-json. */
    @Export(name = "parsed")
    public static int parsed() {
        return Json.parse("{\"n\": 7}").asObject().getInt("n", 0);
    }
}
