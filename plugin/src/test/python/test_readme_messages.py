"""Every text the README's table of tark log lines quotes is a line the plugin writes.

The messages come from the built module itself: each failure kind (and each warning or note the
table names) is brought about in the emulation, as tark loads the plugin, and every line the module
logged is kept with its level. The README's table ("message starts with | what to do", under
Troubleshooting) is then read cell by cell. In its first column:

- a code span that opens the cell, or follows " / ", is the start of a line (the column's title);
- one after the word "ending" is the end of a line;
- any other (a code or a field named in passing, the middle of a line) is text a line holds;
- inside a span, "…" stands for any text and ``<placeholder>`` for some text;
- the line is an error, unless the cell's own words call it a warning, or say "(info)".

A README row no scenario below produces fails, naming the text: quote what the plugin writes, or
add the scenario that writes it.
"""

import re

import pytest

from conftest import (CREDENTIALS_PATH_VARIABLE, DAY, MARGIN, REPO, _TOKENS, TarkLayout, access_jwt,
                      claims, find_leaks, json_reply, make_jwt, opaque)

TABLE_HEADER = "| message starts with | what to do |"
LEVELS = {"error", "warn", "info"}


# --------------------------------------------------------------------------------------------
# The README's table, as quotations
# --------------------------------------------------------------------------------------------

CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
WILDCARDS = re.compile(r"(…|<[^<>]+>)")


def table_rows(readme: str) -> list:
    """The first cell of each row of the table of log lines."""
    lines = readme.splitlines()
    start = lines.index(TABLE_HEADER)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line.strip().strip("|").split(" | ")[0].strip())
    return rows


def code_spans(cell: str) -> list:
    """(text before the span in the cell, the span's content) for each code span, as CommonMark
    reads them: any run of backticks opens one, the same run closes it, one space each side trimmed."""
    spans = []
    for match in CODE_SPAN.finditer(cell):
        content = match.group(2)
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        spans.append((cell[:match.start()], content))
    return spans


def level_of(cell: str) -> str:
    words = CODE_SPAN.sub("", cell)
    return "warn" if "warning" in words else "info" if "(info)" in words else "error"


def quotation(before: str, text: str) -> re.Pattern:
    """What a span says of a line: its start, its end or some part of it, with wildcards."""
    body = "".join(".*?" if piece == "…" else ".+?" if piece.startswith("<") else re.escape(piece)
                   for piece in WILDCARDS.split(text) if piece)
    if before.rstrip().endswith("ending"):
        return re.compile(body + r"\Z", re.S)
    if (before.strip() == "" or before.rstrip().endswith("/")) and not text.startswith("…"):
        return re.compile(r"\A" + body, re.S)
    return re.compile(body, re.S)


def quotations(readme: str) -> list:
    """(the README's text, its level, the pattern a line of that level must match)."""
    found = []
    for cell in table_rows(readme):
        for before, text in code_spans(cell):
            found.append((text, level_of(cell), quotation(before, text)))
    return found


# --------------------------------------------------------------------------------------------
# What the plugin logs, failure kind by failure kind
# --------------------------------------------------------------------------------------------

def due(inst, **extra) -> dict:
    """A login whose access token expired an hour ago: the next start refreshes it."""
    return inst.valid_creds("acct-main", exp_in=-3600, **extra)


def due_early(inst) -> dict:
    """A valid login inside its refresh margin: the next start refreshes it early."""
    return inst.valid_creds("acct-main", exp_in=MARGIN // 2)


def start(inst, **load) -> None:
    inst.load(**load).credentials()


def not_logged_in(inst, tmp):
    start(inst)


def file_not_in_fs_read(inst, tmp):
    elsewhere = tmp / "elsewhere" / "chatgpt.json"
    inst.write_creds({"access_token": access_jwt("acct-main"), "refresh_token": opaque("rt")}, path=elsewhere)
    inst.env[CREDENTIALS_PATH_VARIABLE] = str(elsewhere)
    start(inst)


def damaged_file(inst, tmp):
    inst.write_creds("{not json")
    start(inst)


def access_token_not_a_bearer_token(inst, tmp):
    inst.valid_creds(access_token=access_jwt("acct-main") + " x")
    start(inst)


def refreshed_access_token_not_a_bearer_token(inst, tmp):
    due(inst)
    inst.endpoint.replies.append(json_reply(200, {"access_token": access_jwt("acct-main") + "\r\n",
                                                  "refresh_token": opaque("rt"), "expires_in": 3600}))
    start(inst)


def account_claims_with_a_control_character(inst, tmp):
    for where in ("id_token", "access_token", "account_id"):
        bad = "acct\x01bad"
        doc = {"access_token": access_jwt(bad if where == "access_token" else None),
               "refresh_token": opaque("rt")}
        if where == "id_token":
            doc["id_token"] = make_jwt(claims(bad, DAY))
        if where == "account_id":
            doc["account_id"] = bad
        inst.write_creds(doc)
        start(inst)


def refused_refresh(status, code):
    def scenario(inst, tmp):
        due(inst)
        inst.endpoint.default = json_reply(status, {"error": {"code": code}})
        start(inst)
        start(inst)              # the refusal remembered: the token is not presented again
    return scenario


def refresh_answered(reply, login=due):
    """The refresh of ``login`` (due, or due_early) answered with ``reply``."""
    def scenario(inst, tmp):
        login(inst)
        inst.endpoint.default = reply
        start(inst)
    return scenario


def storage_refused(inst, tmp):
    due(inst)
    inst.data_dir.parent.mkdir(parents=True, exist_ok=True)
    inst.data_dir.write_text("a file where tark keeps the plugin's data directory")
    start(inst)


def codex_login(exp_in):
    def scenario(inst, tmp):
        inst.write_codex({"access_token": access_jwt("acct-codex", exp_in), "refresh_token": opaque("rt"),
                          "account_id": "acct-codex"})
        start(inst)
    return scenario


SCENARIOS = {
    "not logged in": not_logged_in,
    "a file tark may not read": file_not_in_fs_read,
    "a damaged file": damaged_file,
    "an access token that is no bearer token": access_token_not_a_bearer_token,
    "a refreshed access token that is no bearer token": refreshed_access_token_not_a_bearer_token,
    "account claims with a control character": account_claims_with_a_control_character,
    "401 refresh_token_reused": refused_refresh(401, "refresh_token_reused"),
    "400 invalid_grant": refused_refresh(400, "invalid_grant"),
    "400 refresh_token_expired": refused_refresh(400, "refresh_token_expired"),
    "400 refresh_token_invalidated": refused_refresh(400, "refresh_token_invalidated"),
    "429": refresh_answered(json_reply(429, {"error": "rate_limited"})),
    "403 from a proxy": refresh_answered(json_reply(403, "<html>Access denied</html>",
                                                    [["content-type", "text/html"]])),
    "400 invalid_request": refresh_answered(json_reply(400, {"error": "invalid_request"})),
    "no connection": refresh_answered({"error": "connection refused"}),
    "early refresh unavailable": refresh_answered(json_reply(503, ""), due_early),
    "early refresh refused": refresh_answered(json_reply(400, {"error": "invalid_grant"}), due_early),
    "storage refused": storage_refused,
    "the Codex CLI's login": codex_login(10 * DAY),
    "the Codex CLI's login expired": codex_login(-3600),
}


@pytest.fixture(scope="module")
def plugin_lines(tmp_path_factory) -> list:
    """(level, message, scenario) for every line the module logged, scenario by scenario."""
    lines = []
    for name, scenario in SCENARIOS.items():
        tmp = tmp_path_factory.mktemp("scenario")
        inst = TarkLayout(tmp)
        scenario(inst, tmp)
        assert inst.hosts, name
        lines += [(level, message, name) for host in inst.hosts for level, message in host.logs
                  if level in LEVELS]
    # These hosts predate the per-test leak check: the same check, here.
    assert not find_leaks([(f"{name} {level}", message) for level, message, name in lines], set(_TOKENS))
    return lines


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------

README_QUOTATIONS = quotations((REPO / "README.md").read_text(encoding="utf-8"))


def test_the_readme_table_is_read():
    """Not vacuous: the table is found, and its rows quote a start, an end and a passing mention."""
    texts = [text for text, _, _ in README_QUOTATIONS]
    assert len(table_rows((REPO / "README.md").read_text(encoding="utf-8"))) >= 15
    assert any(p.pattern.startswith(r"\A") for _, _, p in README_QUOTATIONS)
    assert any(p.pattern.endswith(r"\Z") for _, _, p in README_QUOTATIONS)
    assert {"warn", "info", "error"} <= {level for _, level, _ in README_QUOTATIONS}
    assert "invalid_grant" in texts, texts


@pytest.mark.parametrize("text,level,pattern", README_QUOTATIONS,
                         ids=[text[:60] for text, _, _ in README_QUOTATIONS])
def test_a_text_the_readme_quotes_is_a_line_the_plugin_logs(plugin_lines, text, level, pattern):
    same_level = [message for lvl, message, _ in plugin_lines if lvl == level]
    assert any(pattern.search(message) for message in same_level), (
        f"no {level} line the plugin logged matches the README's `{text}` ({pattern.pattern}); "
        f"the {level} lines were:\n" + "\n".join(sorted(set(same_level))))


def test_the_quotation_rules_tell_a_start_from_a_part():
    """The rules above, on made-up cells: a start must start the line, an ending end it, a
    placeholder stand for some text; a line that only holds a start elsewhere does not match."""
    [(before, text)] = code_spans("`Could not refresh <what>: …` (or so)")
    start = quotation(before, text)
    assert start.search("Could not refresh the token: timeout.")
    assert not start.search("We Could not refresh the token: timeout.")
    [(before, text)] = code_spans("a warning ending ``…with `tark`. Done.``")
    assert level_of("a warning ending ``…with `tark`. Done.``") == "warn"
    ending = quotation(before, text)
    assert ending.search("Renew it with `tark`. Done.")
    assert not ending.search("Renew it with `tark`. Done. More.")
    [_, (before, text)] = code_spans("`A …` (or the `b_c` field)")
    assert quotation(before, text).search("x b_c y")
    assert level_of("`Using it` (info)") == "info" and level_of("`Failed`") == "error"
