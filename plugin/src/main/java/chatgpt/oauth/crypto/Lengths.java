package chatgpt.oauth.crypto;

/**
 * Array lengths worked out without int overflow. A Java array holds at most 2^31 - 1 bytes, so a
 * length the primitives here would compute past that (a padded copy, a tag appended) is refused with
 * an {@link IllegalArgumentException} rather than wrapped negative. The plugin's inputs stay far
 * below (1 MiB at most), so reaching this is a bug, which its exports report as one (-99).
 */
final class Lengths {
    private Lengths() {
    }

    /** {@code a + b} for two lengths; refused past the largest array. */
    static int add(int a, int b) {
        int sum = a + b;
        if (sum < 0) {
            throw new IllegalArgumentException("input too long: the primitive's buffers would pass 2^31 - 1 bytes");
        }
        return sum;
    }

    /** How many {@code blockBytes}-byte blocks hold {@code length} bytes, the last one possibly partial. */
    static int blocks(int length, int blockBytes) {
        return length / blockBytes + (length % blockBytes == 0 ? 0 : 1);
    }
}
