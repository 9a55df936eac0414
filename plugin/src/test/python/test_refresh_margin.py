"""The tests' copy of the refresh rule (conftest.refresh_margin) against the plugin itself: a token
a minute outside the margin is served as it is, one a minute inside it is refreshed, and the
plugin's diagnostics state the same margin. When the rule in Expiry.java changes, this fails
first; update conftest.refresh_margin and the tests built on it follow."""

import time

import pytest

from conftest import DAY, access_jwt, claims, diagnostics, make_jwt, ok_credentials, opaque, refresh_margin

HOUR = 3600


def token(exp_in: int, lifetime):
    """An access token expiring ``exp_in`` seconds from now; issued ``lifetime`` seconds before
    that, or stating no iat (lifetime unknown) when None."""
    if lifetime is None:
        return access_jwt("acct-margin", exp_in)
    return make_jwt(claims("acct-margin", exp_in, iat=int(time.time()) + exp_in - lifetime))


@pytest.mark.parametrize("lifetime", [None, 10 * 60, HOUR, 3 * DAY, 10 * DAY],
                         ids=["unknown", "10-minutes", "1-hour", "3-days", "10-days"])
def test_the_plugin_refreshes_within_the_mirrored_margin(inst, lifetime):
    margin = refresh_margin(lifetime)

    outside = token(margin + 60, lifetime)
    inst.write_creds({"access_token": outside, "refresh_token": opaque("rt")})
    host = inst.load()
    assert ok_credentials(host)["access_token"] == outside, "refreshed a minute before the margin"
    assert inst.endpoint.requests == []
    diag = diagnostics(host)[0]
    assert diag["refresh_margin_seconds"] == margin, diag
    assert diag["lifetime_seconds"] == lifetime and diag["refresh_due"] is False, diag

    inside = token(margin - 60, lifetime)
    inst.write_creds({"access_token": inside, "refresh_token": opaque("rt")})
    assert ok_credentials(inst.load())["access_token"] == inst.endpoint.last["access_token"], \
        "not refreshed a minute inside the margin"
    assert len(inst.endpoint.requests) == 1
