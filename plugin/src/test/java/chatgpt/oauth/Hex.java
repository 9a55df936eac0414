package chatgpt.oauth;

import java.util.HexFormat;

/** Test vectors as the RFCs print them: hex, with any spaces, colons and line breaks ignored. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s:]", ""));
    }

    static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
