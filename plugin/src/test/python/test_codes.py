"""The README's table of return codes says exactly what chatgpt_oauth_tools/codes.py says, and that
says what the plugin's Java defines."""

import re

from chatgpt_oauth_tools import codes
from chatgpt_oauth_tools.codes import CODES, Code
from conftest import REPO

JAVA_SOURCES = (REPO / "plugin" / "src" / "main" / "java", REPO / "host-bindings" / "sdk" / "src" / "main" / "java")
# `static final int NAME = -3;` or `= OtherClass.NAME;`
JAVA_CONSTANT = re.compile(r"static final int (\w+) = (?:(-?\d+)|(\w+)\.(\w+));")

TABLE_INTRO = "Return codes of the exports, as tark reports them"


def troubleshooting_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Troubleshooting\n")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end >= 0 else len(readme)]


def return_code_table(section: str) -> dict:
    """{code: Code(meaning, fix)} from the table that follows the intro sentence."""
    after = section[section.index(TABLE_INTRO):]
    lines = after.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, rule, *rows = table
    assert header == ["code", "meaning", "what to do"], header
    assert all(re.fullmatch(r"-+", cell) for cell in rule), rule
    codes = {}
    for cells in rows:
        assert len(cells) == 3, cells
        number = re.fullmatch(r"`(-\d+)`", cells[0])
        assert number, f"not a code: {cells[0]!r}"
        code = int(number.group(1))
        assert code not in codes, f"{code} appears twice"
        codes[code] = Code(cells[1], cells[2])
    return codes


def test_readme_table_lists_every_return_code_with_its_meaning_and_fix():
    assert return_code_table(troubleshooting_section()) == CODES


def test_the_table_reader_notices_a_drift():
    section = troubleshooting_section()
    changed = section.replace("| `-4` |", "| `-40` |", 1)
    assert changed != section
    assert return_code_table(changed) != CODES


def java_class(name: str):
    found = [path for root in JAVA_SOURCES for path in root.rglob(f"{name}.java")]
    assert len(found) == 1, f"codes.py names the Java class {name}: {found or 'not found'}"
    return found[0]


def java_codes(class_name: str) -> dict:
    """{constant: value} of a Java class's int constants, following `= OtherClass.NAME`."""
    values = {}
    for name, number, other, other_name in JAVA_CONSTANT.findall(java_class(class_name).read_text(encoding="utf-8")):
        values[name] = int(number) if number else java_codes(other)[other_name]
    return values


def test_the_codes_are_the_java_classes_the_docstring_names():
    classes = re.findall(r"``([A-Z]\w+)``", codes.__doc__)
    assert classes == ["AuthFailure", "ExportFailure"]
    java = {}
    for name in classes:
        java.update(java_codes(name))
    python = {name: value for name, value in vars(codes).items() if isinstance(value, int) and value in CODES}
    assert python == java
