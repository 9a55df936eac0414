#!/usr/bin/env bash
# ./build.sh        builds dist/ (plugin.wasm, plugin.toml and NOTICE), ready for `tark plugin add ./dist`
# ./build.sh test   runs every test: JUnit on the JVM, then dist/ in wasmtime the way tark loads it
set -euo pipefail
cd "$(dirname "$0")"

build_quietly() {
    # JUnit runs in `test` mode; here only the module is built (TeaVM runs in the package phase).
    mvn -B -q -Dstyle.color=never "$@"
}

case "${1:-build}" in
    build)
        build_quietly package -DskipTests
        mkdir -p dist
        cp plugin/target/wasm/plugin.wasm dist/plugin.wasm
        cp plugin/target/manifest/plugin.toml dist/plugin.toml
        cp plugin/target/notice/NOTICE dist/NOTICE
        echo "dist/plugin.wasm: $(wc -c < dist/plugin.wasm) bytes"
        ;;
    test)
        # The pinned Python packages (tark's wasmtime major among them), installed when any differs.
        python3 plugin/tools/requirements_met.py plugin/tools/requirements.txt \
            || python3 -m pip install -q -r plugin/tools/requirements.txt
        # JUnit, then a fresh build of the module into plugin/target (dist/ is left alone: the tests
        # check that the fresh build reproduces the committed dist/ byte for byte).
        mvn -B -Dstyle.color=never -ntp package
        python3 -m pytest -q -rs plugin/src/test/python
        ;;
    *)
        echo "usage: ./build.sh [build|test]" >&2
        exit 2
        ;;
esac
