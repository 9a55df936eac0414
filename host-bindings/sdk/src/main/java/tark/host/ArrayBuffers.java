package tark.host;

import java.util.Arrays;

/**
 * {@link Buffers} in a Java array, with {@link WasmMemory}'s rules (the same {@link Arena}): runs a
 * plugin's exports on the JVM, as tests do. Never part of a module: nothing in wasm refers to it.
 */
public final class ArrayBuffers implements Buffers {
    private final byte[] memory;
    private final Arena arena = new Arena(16);

    /** Memory of {@code size} bytes; loans start at address 16. */
    public ArrayBuffers(int size) {
        memory = new byte[size];
    }

    /** {@code alloc(size)}: a buffer for the next export call. */
    public int alloc(int size) {
        return arena.lend(size);
    }

    /** Places {@code bytes} in a fresh loan, as the host writes an input; returns its address. */
    public int put(byte[] bytes) {
        int ptr = alloc(bytes.length);
        System.arraycopy(bytes, 0, memory, ptr, bytes.length);
        return ptr;
    }

    /** The {@code length} bytes at {@code ptr}, as the host reads an answer. */
    public byte[] get(int ptr, int length) {
        return Arrays.copyOfRange(memory, ptr, ptr + length);
    }

    @Override
    public byte[] input(int ptr, int length) {
        return ptr < 0 || length < 0 || length > WasmMemory.MAX_HOST_VALUE || ptr > memory.length - length
                ? null : get(ptr, length);
    }

    @Override
    public int outputCapacity(int ret) {
        return arena.outputCapacity(ret, memory.length);
    }

    @Override
    public int write(int ret, byte[] bytes) {
        int length = arena.writable(ret, bytes.length, memory.length);
        if (length > 0) {
            System.arraycopy(bytes, 0, memory, ret, length);
        }
        return length;
    }

    @Override
    public void exportReturned() {
        arena.exportReturned();
    }
}
