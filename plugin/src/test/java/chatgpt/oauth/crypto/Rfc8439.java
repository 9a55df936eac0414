package chatgpt.oauth.crypto;

import static java.nio.charset.StandardCharsets.US_ASCII;

import chatgpt.oauth.Hex;

/** Inputs that several RFC 8439 test vectors share. */
final class Rfc8439 {
    static final byte[] KEY_00_TO_1F = Hex.bytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final byte[] KEY_80_TO_9F = Hex.bytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    static final byte[] KEY_1C92 = Hex.bytes("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    static final byte[] SUNSCREEN = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for"
            + " the future, sunscreen would be it.").getBytes(US_ASCII);
    static final byte[] IETF_CONTRIBUTION = ("Any submission to the IETF intended by the Contributor for publication as"
            + " all or part of an IETF Internet-Draft or RFC and any statement made within the context of an IETF"
            + " activity is considered an \"IETF Contribution\". Such statements include oral statements in IETF"
            + " sessions, as well as written and electronic communications made at any time or place, which are"
            + " addressed to").getBytes(US_ASCII);
    static final byte[] JABBERWOCKY = ("'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\n"
            + "All mimsy were the borogoves,\nAnd the mome raths outgrabe.").getBytes(US_ASCII);

    private Rfc8439() {
    }
}
