"""The module tark loads: imports, exports and their types, reproducibility, the manifest."""

import hashlib
import re
import tomllib

import pytest
import wasmtime

from conftest import (CLIENT_ID, CODEX_ORIGINATOR, CODEX_VERSION_VARIABLE, CREDENTIALS_PATH_VARIABLE, DIST,
                      ORIGINATOR_VARIABLE, PLUGIN_NAME, REPO, STORAGE_ENV,
                      STORAGE_FS_READ, TARK_CREDENTIALS_FILE, assert_credentials, ok_credentials)
import tark_host
from compile_profile import sections, uleb128
from tark_manifest import SEMVER

FRESH_BUILD = REPO / "plugin" / "target" / "wasm" / "plugin.wasm"

I32 = "i32"
# export -> (params, results), as tark (or an older auth host) calls it
EXPORT_TYPES = {
    "alloc": ([I32], [I32]),
    "provider_auth_credentials": ([I32], [I32]),
    "provider_auth_refresh": ([I32], [I32]),
    "provider_auth_status": ([], [I32]),
    "provider_auth_init": ([I32, I32], [I32]),
    "provider_auth_logout": ([], [I32]),
    "auth_process_tokens": ([I32, I32, I32], [I32]),
    "provider_info": ([I32], [I32]),
    "provider_models": ([I32], [I32]),
}
# tark 0.12 calls the older auth interface only for a plugin named gemini-auth (src/llm/mod.rs).
DROPPED = ("display_name", "status", "get_token", "get_endpoint", "logout", "init_with_credentials")


@pytest.fixture(scope="module")
def module():
    _, mod = tark_host.compile_module((DIST / "plugin.wasm").read_bytes())
    return mod


def test_imports_only_wasi_and_tark(module):
    imports = [(i.module, i.name) for i in module.imports]
    assert imports, "the module imports nothing at all?"
    bad = [f"{m}.{n}" for m, n in imports if m not in ("wasi_snapshot_preview1",)
           and not m.startswith("tark:")]
    assert not bad, f"imports tark cannot link: {bad}"
    # every tark:* import must be one tark defines
    known = {("tark:storage", n) for n in ("get", "set", "delete")} | \
        {("tark:http", n) for n in ("get", "post")} | {("tark:env", "get"), ("tark:fs", "read")} | \
        {("tark:log", n) for n in ("debug", "info", "warn", "error")}
    unknown = [f"{m}.{n}" for m, n in imports if m.startswith("tark:") and (m, n) not in known]
    assert not unknown, unknown


def test_exports_with_tark_types(module):
    exports = {e.name: e.type for e in module.exports}
    assert isinstance(exports.get("memory"), wasmtime.MemoryType), "no exported memory"
    for name, (params, results) in EXPORT_TYPES.items():
        ty = exports.get(name)
        assert isinstance(ty, wasmtime.FuncType), f"missing export {name}"
        assert [str(t) for t in ty.params] == params, f"{name} params {ty.params}"
        assert [str(t) for t in ty.results] == results, f"{name} results {ty.results}"


def _table_functions(wasm):
    """Function indices in the module's element segments (TeaVM's form: active, offset constant)."""
    functions = []
    for section, start, _ in sections(wasm):
        if section == 9:
            count, j = uleb128(wasm, start)
            for _ in range(count):
                flags, j = uleb128(wasm, j)
                assert flags == 0 and wasm[j] == 0x41, "unexpected element segment"
                _, j = uleb128(wasm, j + 1)
                assert wasm[j] == 0x0B
                n, j = uleb128(wasm, j + 1)
                for _ in range(n):
                    f, j = uleb128(wasm, j)
                    functions.append(f)
    return functions


def test_function_table_holds_only_what_code_calls_through_it():
    """wasmtime compiles a trampoline for every distinct function in a table, on each provider init:
    TeaVM's per-class type tests and initialisers, never called through the table here, are kept
    out (UnreadTableSlots). Before that, 166 distinct functions; virtual methods need about 45."""
    functions = _table_functions((DIST / "plugin.wasm").read_bytes())
    assert len(functions) > 100, "the table itself keeps TeaVM's layout (slots are stored in class data)"
    assert len(set(functions)) <= 60, f"{len(set(functions))} distinct functions in the table"


def test_no_method_names_in_the_module():
    """The build gets function names out of TeaVM for one rewrite (FunctionNames), then drops them;
    TeaVM's call-site tables must stay obfuscated (named, they add ~80 KB of data)."""
    wasm = (DIST / "plugin.wasm").read_bytes()
    for package in ("chatgpt.oauth", "tark.host", "com.eclipsesource"):
        for encoding in ("utf-8", "utf-16-le"):
            assert package.encode(encoding) not in wasm, f"{package} ({encoding}) in the module"
    assert b"supertypeof_" not in wasm and b"meth_" not in wasm, "a name section survived"


def test_instantiates_and_works_without_start(inst):
    """tark only instantiates: no _start / _initialize; the first call must work."""
    doc = inst.valid_creds("acct-first")
    host = inst.load()
    assert host.has_auth_credentials_interface()
    # Nothing ran but the start section: no export call has happened yet.
    assert host.logs == [] and host.http_requests == []
    assert_credentials(ok_credentials(host), doc["access_token"], "acct-first")


def test_dist_wasm_is_the_fresh_build():
    if not FRESH_BUILD.exists():
        pytest.fail(f"{FRESH_BUILD} is missing: run the build first (./build.sh, or "
                    "`mvn -B package` as `./build.sh test` does) so that the fresh module can be "
                    "compared with the committed dist/plugin.wasm")
    fresh = FRESH_BUILD.read_bytes()
    committed = (DIST / "plugin.wasm").read_bytes()
    assert hashlib.sha256(fresh).hexdigest() == hashlib.sha256(committed).hexdigest(), (
        f"dist/plugin.wasm ({len(committed)} bytes) differs from the fresh build "
        f"plugin/target/wasm/plugin.wasm ({len(fresh)} bytes): run ./build.sh and commit dist/")


def test_dist_manifest_is_the_source_manifest():
    """dist/plugin.toml is the fresh build's (plugin/src/main/manifest with the pom's version filled in)."""
    built = REPO / "plugin" / "target" / "manifest" / "plugin.toml"
    assert (DIST / "plugin.toml").read_bytes() == built.read_bytes()
    assert "${" not in built.read_text(encoding="utf-8")


def test_dist_notice_is_the_fresh_build():
    """dist/NOTICE is the fresh build's: written by the build from the classes compiled into the
    module (plugin/target/notice/NOTICE), so a library compiled in or dropped changes it."""
    built = REPO / "plugin" / "target" / "notice" / "NOTICE"
    assert built.exists(), f"{built} is missing: run the build first (./build.sh, or `mvn -B package`)"
    assert (DIST / "NOTICE").read_bytes() == built.read_bytes(), \
        "dist/NOTICE differs from the fresh build's: run ./build.sh and commit dist/"


def test_the_older_auth_interface_is_not_exported(module):
    names = {e.name for e in module.exports}
    assert not names & set(DROPPED), names & set(DROPPED)


def test_manifest_fields():
    m = tark_host.load_manifest(DIST / "plugin.toml")       # tark's validation
    raw = tomllib.loads((DIST / "plugin.toml").read_text(encoding="utf-8"))
    p = m["plugin"]
    assert p["name"] == PLUGIN_NAME
    assert SEMVER.match(p["version"]), p["version"]
    assert p["type"] == "provider"
    assert p["wasm"] == "plugin.wasm"

    o = raw["oauth"]
    assert o["flow"] == "pkce"
    assert o["auth_url"] == "https://auth.openai.com/oauth/authorize"
    assert o["token_url"] == "https://auth.openai.com/oauth/token"
    assert o["client_id"] == CLIENT_ID
    assert set(o["scopes"]) == {"openid", "profile", "email", "offline_access"}
    assert o["redirect_uri"] == "http://localhost:1455/auth/callback"
    assert o["credentials_path"] == "~/" + TARK_CREDENTIALS_FILE
    assert o["process_tokens_callback"] == "auth_process_tokens"
    extra = o["extra_params"]
    assert extra["originator"] == CODEX_ORIGINATOR
    assert extra["id_token_add_organizations"] == "true"
    assert extra["codex_cli_simplified_flow"] == "true"

    caps = raw["capabilities"]
    assert caps.get("storage") is True
    assert caps.get("http") == ["auth.openai.com"]
    assert sorted(caps.get("env")) == sorted(["HOME", CREDENTIALS_PATH_VARIABLE, *STORAGE_ENV, CODEX_VERSION_VARIABLE,
                                             ORIGINATOR_VARIABLE])
    assert sorted(caps.get("fs_read")) == sorted(["~/" + TARK_CREDENTIALS_FILE, "~/.codex/auth.json",
                                                  *STORAGE_FS_READ])
    assert caps.get("shell", False) is False
    assert not caps.get("filesystem"), "no write/filesystem capability is needed"
    assert set(caps) <= {"storage", "http", "env", "fs_read", "shell"}, set(caps)

    providers = raw["contributes"]["providers"]
    assert len(providers) == 1
    assert providers[0]["id"] == PLUGIN_NAME
    assert providers[0]["base_provider"] == "openai"
    assert providers[0].get("name")


def test_exported_memory_fits_tark_defaults(inst):
    """Memory is a plain 32-bit, unshared memory (wasmtime 27 loads it), and the manifest's
    wasm file is the module tark compiles."""
    host = inst.load()
    mem = host._memory()
    ty = mem.type(host.store)
    assert not getattr(ty, "is_64", False)
    assert not getattr(ty, "is_shared", False)
    assert host.pages() > 0


def test_the_model_list_is_said_once(inst):
    """provider_models is the one list: the manifest's description and the README's "Choose a model"
    name exactly its models, in its order, and no other Codex model."""
    ids = [m["id"] for m in inst.load().provider_models()]
    description = tomllib.loads((DIST / "plugin.toml").read_text(encoding="utf-8"))["plugin"]["description"]
    assert re.findall(r"gpt-[\w.-]+", description) == ids, description
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Choose a model", 1)[1]
    accepted = section.split("Subscriptions accept", 1)[1].split("(on ", 1)[0]
    assert re.findall(r"`(gpt-[\w.-]+)`", accepted) == ids, accepted
