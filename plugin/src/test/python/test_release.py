"""The files a release ships agree: one version in pom.xml, dist/plugin.toml and CHANGELOG.md's
newest release, the changelog in Keep a Changelog's order, one licence in LICENSE, the poms and
the manifest."""

from __future__ import annotations

import datetime
import re
import tomllib
import xml.etree.ElementTree as ET

from conftest import DIST, REPO

POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
# "## [Unreleased]" or "## [1.2.3] - 2026-12-02"
HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$")
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def pom_revision() -> str:
    revision = ET.parse(REPO / "pom.xml").getroot().findtext("m:properties/m:revision", namespaces=POM_NS)
    assert revision, "no <revision> in the top pom.xml"
    return revision


def changelog_sections(text: str) -> list:
    """The changelog's second-level headings in order, as (name, date or None); any other
    second-level heading is an error."""
    sections = []
    for line in text.splitlines():
        if line.startswith("## "):
            m = HEADING.match(line)
            assert m, f"CHANGELOG.md: {line!r} is not '## [Unreleased]' or '## [X.Y.Z] - YYYY-MM-DD'"
            sections.append((m["name"], m["date"]))
    return sections


def releases(sections: list) -> list:
    """The released sections after "Unreleased", checked for form and order: (version tuple,
    version, date), newest first."""
    assert sections and sections[0] == ("Unreleased", None), \
        f"CHANGELOG.md must start with '## [Unreleased]', not {sections[:1]}"
    found = []
    for name, date in sections[1:]:
        m = VERSION.match(name)
        assert m and date, f"CHANGELOG.md: release '{name}' needs a version X.Y.Z and a date"
        found.append((tuple(map(int, m.groups())), name, datetime.date.fromisoformat(date)))
    assert found, "CHANGELOG.md names no released version"
    for newer, older in zip(found, found[1:]):
        assert newer[0] > older[0], f"CHANGELOG.md: {newer[1]} must come before {older[1]} (newest first)"
        assert newer[2] >= older[2], f"CHANGELOG.md: {newer[1]} is dated before {older[1]}"
    return found


def test_one_version_in_the_pom_the_manifest_and_the_changelog():
    manifest = tomllib.loads((DIST / "plugin.toml").read_text(encoding="utf-8"))["plugin"]["version"]
    newest = releases(changelog_sections((REPO / "CHANGELOG.md").read_text(encoding="utf-8")))[0][1]
    assert pom_revision() == manifest == newest, (
        f"pom.xml revision {pom_revision()}, dist/plugin.toml {manifest}, CHANGELOG.md's newest release "
        f"{newest}: a release moves 'Unreleased' to a section of the pom's version (and ./build.sh "
        "writes dist/plugin.toml)")


def test_the_changelog_check_refuses_what_it_should():
    good = "# Changelog\n\n## [Unreleased]\n\n## [0.4.0] - 2026-12-02\n\n## [0.3.0] - 2026-11-23\n"
    assert [r[1] for r in releases(changelog_sections(good))] == ["0.4.0", "0.3.0"]
    for bad in (good.replace("## [Unreleased]\n\n", ""),                       # no Unreleased
                good.replace("[0.4.0] - 2026-12-02", "[0.2.0] - 2026-12-02"),  # versions out of order
                good.replace("2026-11-23", "2026-12-24"),                       # dates out of order
                good.replace("[0.3.0] - 2026-11-23", "[0.3.0]"),               # a release without a date
                good.replace("[0.3.0]", "[0.3]"),                               # not X.Y.Z
                good + "## Notes\n"):                                           # a stray section
        try:
            releases(changelog_sections(bad))
        except AssertionError:
            continue
        raise AssertionError(f"accepted:\n{bad}")


def test_one_licence_in_license_the_poms_and_the_manifest():
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004\n" in text
    assert "\n   Copyright 2026 the chatgpt-oauth contributors\n" in text
    assert "[yyyy]" not in text
    licences = [e.findtext("m:name", namespaces=POM_NS)
                for e in ET.parse(REPO / "pom.xml").getroot().iterfind("m:licenses/m:license", POM_NS)]
    assert licences == ["Apache-2.0"]
    manifest = tomllib.loads((DIST / "plugin.toml").read_text(encoding="utf-8"))["plugin"]
    assert manifest["license"] == "Apache-2.0"
    # dist/NOTICE, which tark installs with the plugin, ends with the licence's text.
    assert (DIST / "NOTICE").read_text(encoding="utf-8").endswith(text)
