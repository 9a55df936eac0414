package chatgpt.oauth;

import chatgpt.oauth.crypto.ChaCha20Poly1305;
import chatgpt.oauth.crypto.Hkdf;
import chatgpt.oauth.crypto.Sha256;
import tark.host.Utf8;

/**
 * A login's lineage: the refresh tokens this plugin obtains descend from the one in the credentials
 * file, which the plugin never writes anywhere. Everything it stores about them is tied to that root
 * token by keys derived from it (HKDF-SHA256): a one-way {@link #id} to recognise the login, and an
 * AEAD key (ChaCha20-Poly1305) to seal the tokens. So whoever can read tark's storage (0644) but has
 * no copy of the credentials file (0600) from this login learns nothing; any such copy, even an old
 * one, opens them (docs/ARCHITECTURE.md, "Threat model").
 */
final class Lineage {
    private static final String SALT = "chatgpt-oauth stored tokens v1";
    private static final int ID_BYTES = 16;

    /** A one-way fingerprint of the root refresh token, in hex. */
    final String id;
    private final byte[] sealKey;
    /** Keys the synthetic nonce, so a nonce never repeats under {@link #sealKey} for different tokens. */
    private final byte[] nonceKey;
    private final byte[] associatedData;

    private Lineage(byte[] rootRefreshToken) {
        id = oneWayId(rootRefreshToken, "lineage id");
        sealKey = derive(rootRefreshToken, "seal key", ChaCha20Poly1305.KEY_BYTES);
        nonceKey = derive(rootRefreshToken, "nonce key", 32);
        associatedData = Utf8.encode(id);
    }

    /**
     * A one-way id of {@code secret} for {@code purpose} (HKDF-SHA256, in hex): what storage may hold in
     * place of a token or a path. Distinct purposes give unrelated ids for the same secret.
     */
    static String oneWayId(String secret, String purpose) {
        return oneWayId(Utf8.encode(secret), purpose);
    }

    private static String oneWayId(byte[] secret, String purpose) {
        return hex(derive(secret, purpose, ID_BYTES));
    }

    /** HKDF-SHA256 under this format's salt (encoded per use: a static byte array needs a class initializer). */
    private static byte[] derive(byte[] secret, String purpose, int length) {
        return Hkdf.sha256(secret, Utf8.encode(SALT), Utf8.encode(purpose), length);
    }

    /** A copy of the seal key: for the tests' fixed vectors (lineage-vectors.json). */
    byte[] sealKey() {
        return sealKey.clone();
    }

    /** A copy of the nonce key: for the tests' fixed vectors (lineage-vectors.json). */
    byte[] nonceKey() {
        return nonceKey.clone();
    }

    /** The lineage rooted at this refresh token (the one in the credentials file). */
    static Lineage of(String rootRefreshToken) {
        return new Lineage(Utf8.encode(rootRefreshToken));
    }

    /**
     * Encrypts and authenticates {@code plaintext}: base64url of nonce, ciphertext and tag. The nonce is
     * an HMAC of the plaintext (as in SIV): no random source is needed, and equal nonces under one key
     * only ever come with equal plaintexts.
     */
    String seal(String plaintext) {
        byte[] message = Utf8.encode(plaintext);
        byte[] nonce = new byte[ChaCha20Poly1305.NONCE_BYTES];
        System.arraycopy(Sha256.hmac(nonceKey, message), 0, nonce, 0, nonce.length);
        byte[] sealed = ChaCha20Poly1305.seal(sealKey, nonce, message, associatedData);
        byte[] out = new byte[nonce.length + sealed.length];
        System.arraycopy(nonce, 0, out, 0, nonce.length);
        System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
        return Base64Url.encode(out);
    }

    /** The plaintext {@link #seal} sealed under this lineage; null if it was not, or was altered. */
    String open(String sealedText) {
        if (sealedText == null) {
            return null;
        }
        // Not `sealedText == null ? null : decode(...)`: TeaVM then loses the array's type and copies
        // it below with its generic, type-checking System.arraycopy (1.4 KB of code).
        byte[] sealed = Base64Url.decode(sealedText);
        int nonceBytes = ChaCha20Poly1305.NONCE_BYTES;
        if (sealed == null || sealed.length < nonceBytes + ChaCha20Poly1305.TAG_BYTES) {
            return null;
        }
        byte[] nonce = new byte[nonceBytes];
        byte[] body = new byte[sealed.length - nonceBytes];
        System.arraycopy(sealed, 0, nonce, 0, nonceBytes);
        System.arraycopy(sealed, nonceBytes, body, 0, body.length);
        byte[] message = ChaCha20Poly1305.open(sealKey, nonce, body, associatedData);
        return message == null ? null : Utf8.decode(message);
    }

    private static final String HEX_DIGITS = "0123456789abcdef";

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            out.append(HEX_DIGITS.charAt(b >> 4 & 15)).append(HEX_DIGITS.charAt(b & 15));
        }
        return out.toString();
    }
}
