"""The plugin's own crypto, compiled to wasm, checked the way a crypto library is checked.

``CryptoProbeTest`` (JUnit) compiles ``CryptoProbe``, a test-only entry over the plugin's crypto
classes, with the plugin's own build into ``plugin/target/crypto-probe/crypto-probe.wasm`` (never
into ``dist/``). Its one export, ``crypto(ptr, len, ret)``, takes a request such as
``seal <key> <nonce> <plaintext> <aad>`` (hex arguments) and answers the result in hex; a primitive's
refusal (IllegalArgumentException) comes back as the code ``REFUSED`` with its message logged, like
any failure of an export. Each test runs on that module as built and after wasm-opt with the
plugin's flags (as ``dist/plugin.wasm`` is made), loaded the way tark loads a plugin:

* every case of Project Wycheproof's ChaCha20-Poly1305, HKDF-SHA256 and HMAC-SHA256 files and of
  NIST's SHA-256 short-message file (``plugin/src/test/resources``; JUnit runs them on the JVM too);
* a differential test against ``cryptography`` and ``hashlib``/``hmac``: seeded random inputs of
  every length from 0 to 300 bytes, more around the 16- and 64-byte block edges and SHA-256's
  padding edges (55/56, 119/120, ...), and ChaCha20 block counters around 2^31 and 2^32;
* the length rules at the largest array (2^31 - 1 bytes), given lengths rather than 2 GiB inputs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import shutil

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.poly1305 import Poly1305

from conftest import DIST, INTERNAL_ERROR, REPO, optimised_as_the_plugin
from tark_host import TarkHost

PROBE = REPO / "plugin" / "target" / "crypto-probe" / "crypto-probe.wasm"
RESOURCES = REPO / "plugin" / "src" / "test" / "resources"
# CryptoProbe.REFUSED and CryptoProbe.NOT_AUTHENTIC.
REFUSED = -20
NOT_AUTHENTIC = "null"
# Answers are hex: HKDF's largest output, 8160 bytes, is the longest.
ANSWER_BUFFER = 65536
MAX_INT = 2**31 - 1


class Probe:
    """The probe module loaded as tark loads a plugin; ``ask`` makes one request."""

    def __init__(self, host: TarkHost):
        self.host = host

    def ask(self, operation: str, *arguments):
        """The answer (text), or the negative code. Arguments: bytes, or ints sent as 4 bytes."""
        fields = [a.to_bytes(4, "big").hex() if isinstance(a, int) else a.hex() for a in arguments]
        rc, raw = self.host.call_with_input("crypto", " ".join([operation, *fields]).encode("ascii"),
                                            ANSWER_BUFFER)
        return rc if rc < 0 else raw.decode("ascii")

    def last_error(self) -> str:
        return [message for level, message in self.host.logs if level == "error"][-1]


@pytest.fixture(scope="module", params=["as built", "after wasm-opt"])
def probe(request, tmp_path_factory) -> Probe:
    if not PROBE.exists():
        pytest.skip(f"{PROBE} is missing: CryptoProbeTest builds it (`mvn -pl plugin -am test`, or"
                    " ./build.sh test)")
    plugin_dir = tmp_path_factory.mktemp("crypto-probe")
    shutil.copyfile(DIST / "plugin.toml", plugin_dir / "plugin.toml")
    if request.param == "after wasm-opt":
        optimised_as_the_plugin(PROBE, plugin_dir / "plugin.wasm")
    else:
        shutil.copyfile(PROBE, plugin_dir / "plugin.wasm")
    return Probe(TarkHost.load(plugin_dir, tmp_path_factory.mktemp("home")))


# --------------------------------------------------------------------------------------------
# The corpus: Wycheproof and NIST, every case
# --------------------------------------------------------------------------------------------

def wycheproof(name: str) -> list:
    """Every test of a Wycheproof file, with its group's parameters, as pytest parameters."""
    document = json.loads((RESOURCES / "wycheproof" / name).read_text(encoding="utf-8"))
    cases = [pytest.param(group, test, id=f"tc{test['tcId']}")
             for group in document["testGroups"] for test in group["tests"]]
    assert len(cases) == document["numberOfTests"], name
    return cases


def nist_sha256() -> list:
    """The (message, digest) pairs of SHA256ShortMsg.rsp; ``Len`` (bits) says how much of ``Msg``
    counts (the empty message is written ``00``)."""
    vectors, fields = [], {}
    for line in (RESOURCES / "nist" / "SHA256ShortMsg.rsp").read_text(encoding="ascii").splitlines():
        key, _, value = line.partition(" = ")
        fields[key.strip()] = value.strip()
        if key.strip() == "MD":
            bits = int(fields["Len"])
            vectors.append(pytest.param(bytes.fromhex(fields["Msg"])[:bits // 8], value.strip(), id=f"Len{bits}"))
    return vectors


CHACHA20_POLY1305 = wycheproof("chacha20_poly1305_test.json")
HKDF_SHA256 = wycheproof("hkdf_sha256_test.json")
HMAC_SHA256 = wycheproof("hmac_sha256_test.json")
NIST_SHA256 = nist_sha256()


def test_the_corpus_is_the_one_the_review_ran():
    assert (len(CHACHA20_POLY1305), len(HKDF_SHA256), len(HMAC_SHA256), len(NIST_SHA256)) == (325, 86, 174, 65)


@pytest.mark.parametrize("group, case", CHACHA20_POLY1305)
def test_wycheproof_chacha20_poly1305(probe, group, case):
    key, nonce, aad, msg = (bytes.fromhex(case[f]) for f in ("key", "iv", "aad", "msg"))
    sealed = bytes.fromhex(case["ct"] + case["tag"])
    if group["ivSize"] != 96:
        assert case["result"] == "invalid"
        assert probe.ask("seal", key, nonce, msg, aad) == REFUSED
        assert probe.ask("open", key, nonce, sealed, aad) == REFUSED
        assert "12-byte nonce" in probe.last_error()
    elif case["result"] == "valid":
        assert probe.ask("seal", key, nonce, msg, aad) == sealed.hex()
        assert probe.ask("open", key, nonce, sealed, aad) == msg.hex()
    else:
        assert probe.ask("open", key, nonce, sealed, aad) == NOT_AUTHENTIC


@pytest.mark.parametrize("group, case", HKDF_SHA256)
def test_wycheproof_hkdf_sha256(probe, group, case):
    ikm, salt, info = (bytes.fromhex(case[f]) for f in ("ikm", "salt", "info"))
    answer = probe.ask("hkdf", ikm, salt, info, case["size"])
    assert answer == (case["okm"] if case["result"] == "valid" else REFUSED)


@pytest.mark.parametrize("group, case", HMAC_SHA256)
def test_wycheproof_hmac_sha256(probe, group, case):
    tag = probe.ask("hmac", bytes.fromhex(case["key"]), bytes.fromhex(case["msg"]))[:group["tagSize"] // 4]
    assert (tag == case["tag"]) == (case["result"] == "valid")


@pytest.mark.parametrize("message, digest", NIST_SHA256)
def test_nist_sha256_short_messages(probe, message, digest):
    assert probe.ask("sha256", message) == digest


# --------------------------------------------------------------------------------------------
# Differential: against cryptography, hashlib and hmac on seeded random inputs
# --------------------------------------------------------------------------------------------

# Around the 16-byte (Poly1305) and 64-byte (ChaCha20, SHA-256) blocks and SHA-256's padding,
# which needs a second block from 56 bytes on (mod 64).
EDGES = sorted({e + d for e in (16, 32, 48, 64, 128, 192, 256, 320, 512, 1024, 4096) for d in (-1, 0, 1)}
               | {e + 64 * k for e in (55, 56) for k in range(5)})


def lengths() -> list:
    """Every length from 0 to 300 once, and each edge four times more."""
    return list(range(301)) + EDGES * 4


def chacha20(key: bytes, counter: int, nonce: bytes, data: bytes) -> bytes:
    """cryptography's ChaCha20: a 16-byte nonce that is the counter (little-endian) then RFC 8439's."""
    return Cipher(algorithms.ChaCha20(key, counter.to_bytes(4, "little") + nonce), None).encryptor().update(data)


def blocks(length: int) -> int:
    return -(-length // 64)


def test_chacha20_agrees_with_cryptography(probe):
    rng = random.Random(8439)
    wrong = []
    for length in lengths():
        key, nonce, data = rng.randbytes(32), rng.randbytes(12), rng.randbytes(length)
        # Half the counters anywhere, half within a few blocks of the last one.
        last_start = 2**32 - max(1, blocks(length))
        counter = rng.randrange(last_start + 1) if rng.random() < 0.5 else last_start - rng.randrange(4)
        if probe.ask("chacha20", key, counter, nonce, data) != chacha20(key, counter, nonce, data).hex():
            wrong.append((length, counter))
    assert not wrong, f"{len(wrong)} (length, counter) differ, first {wrong[:5]}"


def test_chacha20_runs_to_block_2_32_minus_1_and_refuses_past_it(probe):
    """RFC 8439's counter is 32 bits. Up to its last block the keystream is cryptography's; past it
    the probe refuses (cryptography, i.e. OpenSSL, carries into the nonce: another keystream), and
    the refusal is a return code with one error line, not a trap. Around 2^31 nothing changes."""
    rng = random.Random(2**32)
    counters = [2**31 - 3, 2**31 - 1, 2**31, 2**31 + 1, 2**32 - 6, 2**32 - 5, 2**32 - 2, 2**32 - 1]
    refused = agreed = 0
    for counter in counters:
        for length in (0, 1, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 300, 320, 321, 385):
            key, nonce, data = rng.randbytes(32), rng.randbytes(12), rng.randbytes(length)
            answer = probe.ask("chacha20", key, counter, nonce, data)
            if counter + blocks(length) <= 2**32:
                assert answer == chacha20(key, counter, nonce, data).hex(), (counter, length)
                agreed += 1
            else:
                assert answer == REFUSED, (counter, length)
                assert "past 2^32 - 1" in probe.last_error()
                refused += 1
    assert agreed > 100 and refused > 20


def test_chacha20_poly1305_agrees_with_cryptography(probe):
    """Seal, open, and a flipped bit anywhere in the sealed bytes refused, for every plaintext length
    with aad of edge and random lengths."""
    rng = random.Random(7539)
    wrong = []
    for length in lengths():
        key, nonce, plaintext = rng.randbytes(32), rng.randbytes(12), rng.randbytes(length)
        aad = rng.randbytes(rng.choice([0, 1, 12, 15, 16, 17, 31, 32, 33, 63, 64, 65, rng.randrange(301)]))
        sealed = ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)
        tampered = bytearray(sealed)
        tampered[rng.randrange(len(sealed))] ^= 1 << rng.randrange(8)
        with pytest.raises(InvalidTag):
            ChaCha20Poly1305(key).decrypt(nonce, bytes(tampered), aad)
        answers = (probe.ask("seal", key, nonce, plaintext, aad), probe.ask("open", key, nonce, sealed, aad),
                   probe.ask("open", key, nonce, bytes(tampered), aad))
        if answers != (sealed.hex(), plaintext.hex(), NOT_AUTHENTIC):
            wrong.append((length, len(aad)))
    assert not wrong, f"{len(wrong)} (plaintext, aad) lengths differ, first {wrong[:5]}"


def test_poly1305_agrees_with_cryptography(probe):
    rng = random.Random(1305)
    wrong = []
    for length in lengths():
        key, message = rng.randbytes(32), rng.randbytes(length)
        if probe.ask("poly1305", key, message) != Poly1305.generate_tag(key, message).hex():
            wrong.append(length)
    assert not wrong, f"{len(wrong)} lengths differ, first {wrong[:5]}"


def test_sha256_agrees_with_hashlib(probe):
    rng = random.Random(1804)
    wrong = []
    for length in lengths():
        data = rng.randbytes(length)
        if probe.ask("sha256", data) != hashlib.sha256(data).hexdigest():
            wrong.append(length)
    assert not wrong, f"{len(wrong)} lengths differ, first {wrong[:5]}"


def test_hmac_sha256_agrees_with_hmac(probe):
    """Keys shorter than, at and longer than SHA-256's 64-byte block (hashed first)."""
    rng = random.Random(2104)
    key_lengths = [0, 1, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 300]
    wrong = []
    for length in lengths():
        key, data = rng.randbytes(rng.choice(key_lengths)), rng.randbytes(length)
        if probe.ask("hmac", key, data) != hmac.new(key, data, hashlib.sha256).hexdigest():
            wrong.append((len(key), length))
    assert not wrong, f"{len(wrong)} (key, data) lengths differ, first {wrong[:5]}"


def test_hkdf_sha256_agrees_with_cryptography(probe):
    """Outputs around the 32-byte blocks up to RFC 5869's 255 blocks, which is the limit: one byte
    more is refused, as cryptography refuses it."""
    rng = random.Random(5869)
    wrong = []
    for size in [1, 31, 32, 33, 63, 64, 65, 95, 96, 97, 255 * 32 - 1, 255 * 32] + [rng.randrange(1, 300) for _ in range(60)]:
        ikm, salt, info = (rng.randbytes(rng.choice([0, 1, 16, 32, 64, 65, rng.randrange(200)])) for _ in range(3))
        expected = HKDF(hashes.SHA256(), size, salt, info).derive(ikm)
        if probe.ask("hkdf", ikm, salt, info, size) != expected.hex():
            wrong.append(size)
    assert not wrong, f"{len(wrong)} sizes differ, first {wrong[:5]}"
    with pytest.raises(ValueError):
        HKDF(hashes.SHA256(), 255 * 32 + 1, b"", b"")
    assert probe.ask("hkdf", b"ikm", b"", b"", 255 * 32 + 1) == REFUSED


# --------------------------------------------------------------------------------------------
# The length rules at the largest array, in wasm: exact up to the limit, refused past it
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("operation, arguments, expected", [
    ("chacha20_blocks", (0, MAX_INT), 2**25),
    ("chacha20_blocks", (2**32 - 2**25, MAX_INT), 2**25),
    ("chacha20_blocks", (2**32 - 2**25 + 1, MAX_INT), REFUSED),
    ("chacha20_blocks", (2**32 - 1, 64), 1),
    ("chacha20_blocks", (2**32 - 1, 65), REFUSED),
    ("sha256_padded_length", (55,), 64),
    ("sha256_padded_length", (56,), 128),
    ("sha256_padded_length", (MAX_INT - 72,), 2**31 - 64),
    ("sha256_padded_length", (MAX_INT - 71,), REFUSED),
    ("aead_mac_input_length", (0, MAX_INT - 31), 2**31 - 16),
    ("aead_mac_input_length", (2**30 - 16, 2**30 - 16), 2**31 - 16),
    ("aead_mac_input_length", (0, MAX_INT - 30), REFUSED),
    ("aead_mac_input_length", (2**30, 2**30), REFUSED),
    ("aead_mac_input_length", (MAX_INT, 0), REFUSED),
], ids=lambda value: str(value) if not isinstance(value, tuple) else ",".join(map(str, value)))
def test_length_rules_at_the_largest_array(probe, operation, arguments, expected):
    answer = probe.ask(operation, *arguments)
    if expected == REFUSED:
        assert answer == REFUSED
        assert probe.last_error().startswith("refused: ")
    else:
        assert int(answer, 16) == expected


def test_any_other_failure_is_internal_error_not_a_trap(probe):
    """A Poly1305 key shorter than 32 bytes is no refusal the primitive makes: the index error
    becomes -99 and the generic line, as in the plugin."""
    assert probe.ask("poly1305", bytes(16), b"message") == INTERNAL_ERROR
    assert "failed unexpectedly" in probe.last_error()
