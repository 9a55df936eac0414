"""The SDK's copy of TeaVM's private heap layout (``WasmMemory.layoutEnd``), checked against TeaVM itself.

``WasmMemory`` caps TeaVM's heap and places the arena it lends to tark above the highest address
TeaVM's bookkeeping can reach, which it computes with a copy of ``WasmHeap.resizeHeap``'s layout.
``ProbeBuildTest`` (JUnit, host-bindings/toolchain) builds ``HeapLayoutProbe`` with the plugin's
build; here it grows TeaVM's heap the way TeaVM does and compares TeaVM's memory limit with the
copy's answer. A TeaVM whose layout moved fails this test: see host-bindings/toolchain/UPGRADING.md.
"""

from __future__ import annotations

import pytest
import wasmtime

from conftest import REPO

PROBE = REPO / "host-bindings" / "toolchain" / "target" / "probe" / "heap-layout-probe.wasm"
MIB = 1 << 20


@pytest.fixture(scope="module")
def probe():
    if not PROBE.is_file():
        pytest.fail(f"{PROBE} is missing: run the JUnit build first (./build.sh test does)")
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, str(PROBE)))
    exports = instance.exports(store)
    return lambda name, *args: exports[name](store, *args)


def test_the_copy_of_the_layout_matches_teavm_as_the_heap_grows(probe):
    start = probe("heap_size")
    assert start > 0
    # One byte, then uneven sizes (the layout aligns each part), then a few MiB: the module's
    # declared maximum leaves TeaVM room to grow past the SDK's cap.
    for size in (start + 1, start + 65_537, start + MIB + 12_345, start + 4 * MIB):
        assert probe("layout_difference", size) == 0, f"layout moved at heap size {size}"
        assert probe("heap_size") == size


def test_a_layout_difference_would_show(probe):
    """The probe answers TeaVM's limit minus the copy's: nonzero for any mismatch, so this test can fail."""
    size = probe("heap_size")
    assert probe("layout_difference", size) == 0      # no growth: still the same layout
