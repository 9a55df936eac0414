"""The plugin's diagnostics line (Diagnostics.java) and the tools' one definition of it
(facts.Diagnostics, read by the check): the plugin writes exactly those fields, for every
credentials source the tools name (facts.CREDENTIAL_SOURCES), so neither side changes alone."""

from __future__ import annotations

import json

import pytest

from chatgpt_oauth_tools.check.observation import Observation
from chatgpt_oauth_tools.check.report import report
from chatgpt_oauth_tools.facts import (CREDENTIAL_SOURCES, DIAGNOSTICS_FIELDS, Diagnostics, diagnostics_lines,
                                       diagnostics_of, parse_diagnostics, read_diagnostics)
from conftest import access_jwt, ok_credentials, opaque
from test_codex import codex_tokens


def lines_by_source(inst) -> dict:
    """{source name: the plugin's first diagnostics line} for each source it can use: tark's file,
    credentials handed over with provider_auth_init, the Codex CLI's login."""
    found = {}

    def credentials_line(host) -> None:
        ok_credentials(host)
        line = diagnostics_lines(host.logs)[0]
        found[parse_diagnostics(line)["source"]] = line

    inst.write_codex(codex_tokens())
    credentials_line(inst.load())
    host = inst.load()
    payload = {"access_token": access_jwt("acct-init"), "refresh_token": opaque("rt")}
    assert host.init_with("provider_auth_init", json.dumps(payload).encode()) >= 0
    credentials_line(host)
    inst.valid_creds()
    credentials_line(inst.load())
    return found


def test_the_plugin_names_every_source_the_tools_name(inst):
    assert sorted(lines_by_source(inst)) == sorted(CREDENTIAL_SOURCES)


def test_the_plugin_writes_exactly_the_fields_the_tools_read(inst):
    for source, line in lines_by_source(inst).items():
        assert sorted(parse_diagnostics(line)) == sorted(DIAGNOSTICS_FIELDS), source
        assert read_diagnostics(line).source == source


GOOD = {"source": "tark_file", "location": "/home/u/.config/tark/chatgpt_oauth.json", "tokens": "source",
        "account_id": None, "expires_at": 1767225600, "lifetime_seconds": None, "refresh_at": 1767225300,
        "expired": False, "refresh_due": False, "may_refresh": True, "refresh_margin_seconds": 300,
        "refresh_margin_reason": "the least margin"}


def line(**changes) -> str:
    doc = {k: v for k, v in dict(GOOD, **changes).items() if v is not ...}
    return "diagnostics " + json.dumps(doc)


def test_a_line_of_the_fields_reads_as_diagnostics():
    assert read_diagnostics(line()) == Diagnostics(**GOOD)


@pytest.mark.parametrize("changes", [
    {"refresh_at": ...},                            # a field missing
    {"next_refresh": 1},                            # a field unknown
    {"expires_at": "1767225600"},                   # a number as text
    {"expired": 0},                                 # a number for a flag
    {"refresh_margin_seconds": True},               # a flag for a number
    {"location": None},                             # null where text is always given
    {"refresh_at": None},                           # a refresh time without an expiry, or the reverse
])
def test_a_line_of_other_fields_or_types_is_refused(changes):
    with pytest.raises(ValueError):
        read_diagnostics(line(**changes))


def test_the_check_says_so_when_the_plugins_line_has_other_fields():
    """A plugin of another version: the check neither guesses the fields nor says "no credentials"."""
    unread = line(refresh_at=..., next_refresh=1767225300)
    seen = Observation(rc=-1, text=None, failure=None, native=None, status=2,
                       logs=[("debug", unread)], logs_credentials=[("debug", unread)],
                       diags=diagnostics_of([("debug", unread)]), diags_unread=1, refresh_posts=[],
                       replies=[], storage_changed=False, stdout=b"", stderr=b"", now=0.0,
                       offline_refresh=False)
    printed = []
    assert report(seen, False, lambda text="": printed.append(text)) == 1
    assert printed[1].startswith("Credentials source   not readable: the plugin's diagnostics line has"
                                 " other fields than this check reads")
