package chatgpt.oauth.crypto;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chatgpt.oauth.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Poly1305Test {
    @Test
    void rfc8439Section252() {
        byte[] key = Hex.bytes("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b");
        byte[] tag = Poly1305.mac(key, "Cryptographic Forum Research Group".getBytes(US_ASCII));
        assertEquals("a8061dc1305136c6c22b8baf0c0127a9", Hex.of(tag));
    }

    @Test
    void rfc8439AppendixA3LongTexts() {
        String zero = "00".repeat(32);
        assertEquals("00".repeat(16), Hex.of(Poly1305.mac(Hex.bytes(zero), new byte[64])));
        String s = "36e5f6b5c5e06070f0efca96227a863e";
        // r = 0 leaves s alone; then r = s, s = 0.
        assertEquals(s, Hex.of(Poly1305.mac(Hex.bytes("00".repeat(16) + s), Rfc8439.IETF_CONTRIBUTION)));
        assertEquals("f3477e7cd95417af89a6b8794c310cf0",
                Hex.of(Poly1305.mac(Hex.bytes(s + "00".repeat(16)), Rfc8439.IETF_CONTRIBUTION)));
        assertEquals("4541669a7eaaee61e708dc7cbcc5eb62", Hex.of(Poly1305.mac(Rfc8439.KEY_1C92, Rfc8439.JABBERWOCKY)));
    }

    /** Appendix A.3 vectors 5 to 11: the edges of the reduction mod 2^130-5 and of adding s. */
    @ParameterizedTest(name = "A.3 #{0}")
    @CsvSource({
        "5, 02000000000000000000000000000000, 00000000000000000000000000000000,"
                + " FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF, 03000000000000000000000000000000",
        "6, 02000000000000000000000000000000, FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,"
                + " 02000000000000000000000000000000, 03000000000000000000000000000000",
        "7, 01000000000000000000000000000000, 00000000000000000000000000000000,"
                + " FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF F0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 11000000000000000000000000000000,"
                + " 05000000000000000000000000000000",
        "8, 01000000000000000000000000000000, 00000000000000000000000000000000,"
                + " FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF FBFEFEFEFEFEFEFEFEFEFEFEFEFEFEFE 01010101010101010101010101010101,"
                + " 00000000000000000000000000000000",
        "9, 02000000000000000000000000000000, 00000000000000000000000000000000,"
                + " FDFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF, FAFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "10, 01000000000000000400000000000000, 00000000000000000000000000000000,"
                + " E33594D7505E43B90000000000000000 3394D7505E4379CD0100000000000000"
                + " 00000000000000000000000000000000 01000000000000000000000000000000,"
                + " 14000000000000005500000000000000",
        "11, 01000000000000000400000000000000, 00000000000000000000000000000000,"
                + " E33594D7505E43B90000000000000000 3394D7505E4379CD0100000000000000"
                + " 00000000000000000000000000000000,"
                + " 13000000000000000000000000000000",
    })
    void rfc8439AppendixA3Edges(int vector, String r, String s, String data, String tag) {
        assertEquals(tag.toLowerCase(), Hex.of(Poly1305.mac(Hex.bytes(r + s), Hex.bytes(data))));
    }
}
