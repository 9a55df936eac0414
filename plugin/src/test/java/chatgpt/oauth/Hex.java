package chatgpt.oauth;

import java.util.HexFormat;

/** Test vectors as the RFCs print them: hex, with any spaces, colons and line breaks ignored. */
public final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s:]", ""));
    }

    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
