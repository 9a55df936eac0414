package tark.host;

import java.nio.charset.StandardCharsets;

/** UTF-8 conversion for values crossing the host boundary. */
public final class Utf8 {
    private Utf8() {
    }

    public static byte[] encode(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes UTF-8; malformed sequences become U+FFFD rather than failing. */
    public static String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
