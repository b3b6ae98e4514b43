"""Only plausibly real secrets gate: placeholders, examples and bad checksums warn, saying why."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.options import StageOptions
from releasekit.policy.session import run_policies
from releasekit.scan import ScanSettings, scan_files
from releasekit.scan.plausibility import base62_crc32, checksum_reason, implausible_reason
from tests.scan.tokens import PEM_KIND, checksummed, pem_block, tokens

TOKENS = tokens()
NPM, GH, PAT = "np" + "m_", "gh" + "p_", "github" + "_pat_"


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


JWT_IO_SAMPLE = ".".join(
    [
        _b64url({"alg": "HS256", "typ": "JWT"}),
        _b64url({"sub": "1234567890", "name": "John Doe", "iat": 1516239022}),
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ]
)
ELIDED_PEM = f"-----BEGIN RSA {PEM_KIND}-----\nMIIEpAIBAAKCAQEA...\n...\n-----END RSA {PEM_KIND}-----"

# placeholder class -> (a file line holding it, the words its reason must contain)
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "repeated character (npm)": (f'const t = "{NPM}{"x" * 36}";', "repeated character"),
    "repeated character (fine-grained)": (f'const t = "{PAT}{"x" * 22}_{"x" * 59}";', "repeated character"),
    "repeated character (Google)": (f'const k = "AI{"za"}{"a" * 35}";', "repeated character"),
    "alphabet sequence": (f'const t = "{GH}abcdefghijklmnopqrstuvwxyz0123456789";', "sequence"),
    "low entropy": (f'const t = "{NPM}{"ab12" * 9}";', "entropy"),
    "documented AWS example": ('const id = "AKIA' + 'IOSFODNN7EXAMPLE";', "AWS's documented example"),
    "example word": (f'const k = "sk_{"live"}_EXAMPLEq8Zr2Lk5Wm0Pn4Tx7Vb";', "example"),
    "template": (f'const k = "AI{"za"}SyYOUR_API_KEY_HERE_0c9Qm2Lr7Vt5XwP";', "template"),
    "jwt.io sample": (f'const session = "{JWT_IO_SAMPLE}";', "jwt.io"),
    "elided PEM body": (ELIDED_PEM, "elided"),
    "short PEM body": (f"-----BEGIN EC {PEM_KIND}-----\nMHcCAQEE\n-----END EC {PEM_KIND}-----", "too short"),
    "failed checksum": (
        f'const t = "{TOKENS["npm"][0][:-1]}{"A" if TOKENS["npm"][0][-1] != "A" else "B"}";',
        "checksum",
    ),
}


def _scan(text: str, path: str = "lib/a.js") -> list:
    return scan_files([(path, (text + "\n").encode())], ScanSettings.default().plan, jobs=1)


@pytest.mark.parametrize("name", PLACEHOLDERS)
def test_each_placeholder_class_is_found_with_the_reason_it_is_not_real(name: str) -> None:
    line, reason = PLACEHOLDERS[name]
    credential = [f for f in _scan(line) if f.type not in ("Base64 High Entropy String", "Secret Keyword")]
    assert credential, "still reported"
    assert all(f.note and reason in f.note for f in credential), [f.note for f in credential]


def test_the_checksum_is_the_base62_crc32_of_the_random_part() -> None:
    rng = random.Random(3)
    for prefix in (NPM, GH, "gh" + "s_", "gh" + "r_"):
        token = checksummed(prefix, rng)
        assert checksum_reason(token) is None
        assert checksum_reason(token[:-6] + base62_crc32(token[4:34] + "x")) is not None
    assert base62_crc32("") == "000000"  # zero-padded to six digits


def test_real_looking_values_pass_every_check() -> None:
    for token, rule in tokens(seed=99).values():
        assert implausible_reason(rule, token) is None, token
    assert (
        implausible_reason("Private Key", pem_block(random.Random(1))[:31], pem_block(random.Random(1)))
        is None
    )


MANIFEST = {"name": "demo-placeholders", "version": "1.0.0", "main": "lib/index.js"}


def _secret_findings(project: Path) -> tuple[bool, list]:
    result = run_policies(project, keyword="no_secrets", options=StageOptions())
    [policy] = [r for r in result.results if r.name == "policy_no_secrets"]
    return result.gate_passed, policy.findings


def test_placeholders_warn_and_pass_the_gate(make_project: Callable[..., Path]) -> None:
    lines = "\n".join(line for line, _ in PLACEHOLDERS.values())
    passed, findings = _secret_findings(make_project(MANIFEST, {"lib/index.js": lines + "\n"}))
    assert passed and findings
    assert {str(f.severity) for f in findings} == {"warning"}
    notes = [f.message for f in findings if "not gating:" in f.message]
    assert len(notes) >= len(PLACEHOLDERS) - 1  # the fine-grained and npm repeats may share a line's reason


@pytest.mark.parametrize("name", ["npm", "github", "github_pat", "stripe", "google"])
def test_a_real_looking_token_passing_its_checksum_fails_the_gate(
    make_project: Callable[..., Path], name: str
) -> None:
    token, _ = TOKENS[name]
    passed, findings = _secret_findings(
        make_project(MANIFEST, {"lib/index.js": f'module.exports = connect("{token}");\n'})
    )
    assert not passed
    assert any(str(f.severity) == "error" and "not gating" not in f.message for f in findings)
    assert all(token not in f.message for f in findings)
