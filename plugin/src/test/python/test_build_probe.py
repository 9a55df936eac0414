"""The build's probe programs in wasmtime: what the build's table rewrite keeps still works.

``ProbeBuildTest`` (JUnit, host-bindings/toolchain) compiles two small programs with the
plugin's own build (TeaVM, its transformers and the module rewrites) into
``host-bindings/toolchain/target/probe/``.  ``UnreadTableSlots`` points type tests no code reads at one
function; ``System.arraycopy`` between reference arrays reads the destination component's test,
and ``Class.isInstance`` any class's.  Each module runs here as built, and again after wasm-opt
with the flags of the plugin's pom (when ``plugin/wasm-opt`` is installed, as the plugin's build
does).  The probes import nothing from tark; they are linked with WASI as tark links a plugin.
"""

from __future__ import annotations


import pytest
import wasmtime

from conftest import REPO, optimised_as_the_plugin
import tark_host

PROBES = REPO / "host-bindings" / "toolchain" / "target" / "probe"

# ArraycopyProbe's answers.
COPIED, REFUSED = 1, 2

# Where TeaVM 0.13.1 itself departs from Java, with or without the build's rewrites (strict xfails:
# a TeaVM that fixes one makes its test pass, and the entry must go).
TEAVM_DEVIATIONS = {
    "accepts_null_among_animals":
        "TeaVM's arraycopy checks each element with Class.isInstance, which is false for null: "
        "a null element is refused with ArrayStoreException",
    "refuses_integer_among_strings_typed_as_objects":
        "TeaVM's SystemArrayCopyOptimization turns an arraycopy between arrays of the same static "
        "type (Object[] here) into a copy that checks no element",
}


@pytest.fixture(scope="module", params=["as built", "after wasm-opt"])
def variant(request):
    return request.param


@pytest.fixture(scope="module")
def probe(variant, tmp_path_factory):
    """``probe(name)``: exports of the probe module ``name`` instantiated as tark does (fresh each
    call; wasm-opt runs once per module)."""
    optimised: dict = {}

    def load(name: str):
        built = PROBES / name
        if not built.exists():
            pytest.skip(f"{built} is missing: it is built by the build module's JUnit tests "
                        "(`mvn -pl host-bindings/toolchain -am test`, or ./build.sh test)")
        wasm = built
        if variant == "after wasm-opt":
            if name not in optimised:
                optimised[name] = optimised_as_the_plugin(built, tmp_path_factory.mktemp("opt") / name)
            wasm = optimised[name]
        engine, module = tark_host.compile_module(wasm.read_bytes())
        assert {i.module for i in module.imports} <= {"wasi_snapshot_preview1"}
        store = wasmtime.Store(engine)
        store.set_wasi(wasmtime.WasiConfig())    # no args, no env, no preopened dirs
        store.set_epoch_deadline(tark_host.EPOCH_DEADLINE)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        instance = linker.instantiate(store, module)    # never _start, as tark
        return {name: (lambda *args, f=f: f(store, *args)) for name, f in instance.exports(store).items()
                if isinstance(f, wasmtime.Func)}
    return load


def expected_answers(exports) -> dict:
    """What each probe export answers in Java, from its name (the JUnit test checks it on the JVM)."""
    return {name: COPIED if name.startswith("accepts_") else REFUSED
            for name in exports if name.startswith(("accepts_", "refuses_"))}


def test_arraycopy_checks_each_element_against_the_destination_type(probe):
    exports = probe("arraycopy-probe.wasm")
    expected = {name: answer for name, answer in expected_answers(exports).items()
                if name not in TEAVM_DEVIATIONS}
    assert COPIED in expected.values() and REFUSED in expected.values(), sorted(exports)
    assert {name: exports[name]() for name in expected} == expected


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xfail(reason=why, strict=True))
                                  for name, why in TEAVM_DEVIATIONS.items()])
def test_arraycopy_where_teavm_departs_from_java(probe, name):
    exports = probe("arraycopy-probe.wasm")
    assert name in exports, f"{name} is no longer a probe export: drop it from TEAVM_DEVIATIONS"
    assert exports[name]() == expected_answers(exports)[name]


def test_class_is_instance_answers_for_every_class(probe):
    """Code asks Class.isInstance itself, so the build keeps every type test."""
    is_instance = probe("type-test-probe.wasm")["is_instance"]
    types = ["String", "Integer", "Number"]
    values = ['"s"', "Integer 1", "Long 2"]
    answers = {(types[t], values[v]): is_instance(t, v) for t in range(3) for v in range(3)}
    assert answers == {
        ("String", '"s"'): 1, ("String", "Integer 1"): 0, ("String", "Long 2"): 0,
        ("Integer", '"s"'): 0, ("Integer", "Integer 1"): 1, ("Integer", "Long 2"): 0,
        ("Number", '"s"'): 0, ("Number", "Integer 1"): 1, ("Number", "Long 2"): 1,
    }
