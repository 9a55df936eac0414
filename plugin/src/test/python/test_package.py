"""plugin/tools is an installable package (plugin/tools/pyproject.toml): its pins are the ones
requirements.txt holds, and ``pip install`` of it gives the commands ``chatgpt-oauth-check`` and
``chatgpt-oauth-login``, which outside a checkout check the plugin tark has installed.

The install test builds with the pinned setuptools that ``./build.sh test`` installed
(``--no-build-isolation``) and resolves from installed packages only (``--no-index``; the venv sees
this interpreter's wasmtime): it never needs the network. It is skipped where no venv can be made,
or where another setuptools is installed (pytest run without ``./build.sh test``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
import venv
from importlib import metadata
from pathlib import Path

import pytest

from chatgpt_oauth_tools.check import cli
from conftest import CREDENTIALS_PATH_VARIABLE, DIST, REPO, XDG_DATA_HOME, installed_plugin_dir
from requirements_met import pins

TOOLS = REPO / "plugin" / "tools"
COMMANDS = ("chatgpt-oauth-check", "chatgpt-oauth-login")


def pyproject() -> dict:
    return tomllib.loads((TOOLS / "pyproject.toml").read_text(encoding="utf-8"))


def build_backend() -> dict:
    return pins(pyproject()["build-system"]["requires"])


def test_requirements_txt_is_the_package_pins_its_test_extra_and_its_build_backend():
    """`./build.sh test` installs requirements.txt; `pip install` the package's dependencies, built
    with its build backend: the same pins, nothing else in requirements.txt but the test extra."""
    project = pyproject()["project"]
    lists = [pins(project["dependencies"]), pins(project["optional-dependencies"]["test"]), build_backend()]
    assert sum(map(len, lists)) == len({name for pinned in lists for name in pinned}), "a name twice"
    assert pins((TOOLS / "requirements.txt").read_text(encoding="utf-8").splitlines()) == \
        {name: version for pinned in lists for name, version in pinned.items()}


def test_pins_refuse_a_loose_requirement():
    assert pins(["wasmtime==27.0.2  # tark's major", ""]) == {"wasmtime": "27.0.2"}
    with pytest.raises(ValueError):
        pins(["wasmtime>=27"])


def test_the_commands_are_declared():
    assert sorted(pyproject()["project"]["scripts"]) == sorted(COMMANDS)


def _venv_python(root: Path) -> Path:
    return root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _plain_env(**extra) -> dict:
    """This environment without what would make a child find this checkout's package or read
    another plugin location."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", XDG_DATA_HOME, CREDENTIALS_PATH_VARIABLE)}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", **extra)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin directory of a venv into which a copy of plugin/tools was pip-installed offline."""
    pinned = build_backend()["setuptools"]
    try:
        here = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        here = None
    if here != pinned:
        pytest.skip(f"setuptools {here or 'missing'} here, the package builds with {pinned}: "
                    "./build.sh test installs it (requirements.txt), to build offline")
    root = tmp_path_factory.mktemp("pip-install")
    source = root / "source"        # a copy: the build writes build/ and *.egg-info beside the sources
    shutil.copytree(TOOLS, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    env_dir = root / "venv"
    # No pip of its own (ensurepip would also bring an older setuptools in Python 3.11): the venv
    # runs this interpreter's pip and setuptools, installing into itself.
    try:
        venv.create(env_dir, system_site_packages=True, with_pip=False)
    except OSError as e:
        pytest.skip(f"cannot create a venv here: {e}")
    python = _venv_python(env_dir)
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-index",
                             "--no-build-isolation", str(source)],
                            capture_output=True, text=True, timeout=600, cwd=root, env=_plain_env())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return python.parent


def run(command: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(command), *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=_plain_env())


@pytest.mark.parametrize("command", COMMANDS)
def test_pip_install_gives_the_commands(installed, tmp_path, command):
    result = run(installed / command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {command} ")


def test_the_installed_login_names_itself_as_installed(installed, tmp_path):
    result = run(installed / "chatgpt-oauth-login", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("chatgpt-oauth-login: unrecognized arguments: --no-such-option")


def test_the_installed_package_knows_it_is_in_no_checkout(installed, tmp_path):
    result = run(installed / "python", "-c",
                 "from chatgpt_oauth_tools import facts; print(facts.__file__, facts.CHECKOUT, facts.REPO_DIST)",
                 cwd=tmp_path)
    where, checkout, dist = result.stdout.split()
    assert not Path(where).is_relative_to(REPO), "imported this checkout's package, not the installed one"
    assert (checkout, dist) == ("None", "None")


def test_a_child_process_of_the_installed_tools_imports_them_too(installed, tmp_path):
    """The benchmark and the compile profile measure in a child process (python_child): installed,
    it finds the package where it is installed, without this checkout."""
    code = ("from chatgpt_oauth_tools.python_child import run_python;"
            " child = run_python('import chatgpt_oauth_tools; print(chatgpt_oauth_tools.__file__)', []);"
            " print(child.stdout.strip() or child.stderr)")
    result = run(installed / "python", "-c", code, cwd=tmp_path)
    where = Path(result.stdout.strip())
    assert where.is_file() and where.is_relative_to(installed.parent), result.stdout + result.stderr


def test_the_installed_check_checks_the_plugin_tark_runs(installed, tmp_path):
    """Without a checkout's dist/ the check loads the copy tark installed, and without one says so."""
    home = tmp_path / "home"
    plugin_dir = installed_plugin_dir(home, {})
    result = run(installed / "chatgpt-oauth-check", "--home", home, cwd=tmp_path)
    assert result.returncode == 1
    assert cli.NOT_INSTALLED.format(plugin_dir=plugin_dir) in result.stdout.splitlines(), result.stdout

    shutil.copytree(DIST, plugin_dir)
    result = run(installed / "chatgpt-oauth-check", "--home", home, cwd=tmp_path)
    assert result.returncode == 1, result.stdout            # installed, but nobody logged in
    assert f"  plugin     {plugin_dir} (installed copy)" in result.stdout, result.stdout
    assert "RESULT: FAILED: tark would get no usable credentials." in result.stdout
