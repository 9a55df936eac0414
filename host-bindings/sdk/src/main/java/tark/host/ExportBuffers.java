package tark.host;

/**
 * An export's data across the memory contract, as {@code input()}/{@code output()} in Extism's plugin
 * kits: the host's input buffer as text, and the answer into the host's output buffer.
 */
public final class ExportBuffers {
    /** The last answer and its UTF-8: an unchanged answer (the usual repeated call) is not encoded again. */
    private static String lastText;
    private static byte[] lastBytes;

    private ExportBuffers() {
    }

    /** The host's input ({@code ptr}, {@code len}) as text; null when it lies outside memory or is too large. */
    public static String input(int ptr, int len) {
        byte[] bytes = WasmMemory.read(ptr, len);
        return bytes == null ? null : Utf8.decode(bytes);
    }

    /**
     * Writes {@code text} as UTF-8 into the output buffer at {@code ret} (see {@link WasmMemory#write}):
     * its length, or {@link WasmMemory#NOT_LENT} or {@link WasmMemory#TOO_LARGE} with nothing written.
     */
    public static int output(int ret, String text) {
        return WasmMemory.write(ret, utf8(text));
    }

    /** Whether {@code ret} is an output buffer {@link #output} would write (checked before any work). */
    public static boolean isOutput(int ret) {
        return WasmMemory.outputCapacity(ret) >= 0;
    }

    /** The UTF-8 length of {@code text} (as {@link #output} would write it). */
    public static int length(String text) {
        return utf8(text).length;
    }

    private static byte[] utf8(String text) {
        if (!text.equals(lastText)) {
            lastBytes = Utf8.encode(text);
            lastText = text;
        }
        return lastBytes;
    }
}
