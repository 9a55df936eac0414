package tark.host;

/** The host's buffers an export reads and writes: wasm memory in tark ({@link WasmMemory}), plain arrays in tests. */
public interface Buffers {
    /** {@link #write}: the buffer is not one alloc lent for the current call. */
    int NOT_LENT = -2;
    /** {@link #write}: the value is larger than the buffer. */
    int TOO_LARGE = -1;

    /** The host's input at {@code ptr} as bytes; null when it lies outside memory or is too large. */
    byte[] input(int ptr, int length);

    /** The size of the output buffer {@code alloc} lent at {@code ret} for this call; -1 if it lent none there. */
    int outputCapacity(int ret);

    /** Writes {@code bytes} at {@code ret}: their length, or {@link #NOT_LENT} / {@link #TOO_LARGE}. */
    int write(int ret, byte[] bytes);

    /** The export returned: the host has read what it was lent. */
    void exportReturned();
}
