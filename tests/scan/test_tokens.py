"""releasekit's own detectors find every token format in every place packages carry one.

The places are those where detect-secrets' line filters miss them: call arguments and
object literals (its "indirect reference" filter), minified one-line bundles, JSON,
source maps' ``sourcesContent`` (escaped, decoded before scanning), ``.env`` files and
README code blocks. Each real-looking token must be an error finding (no ``note``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest

from releasekit.scan import ScanSettings, SecretFinding, scan_files
from tests.scan.tokens import pem_block, tokens

TOKENS = tokens()
PEM = pem_block(random.Random(7))
FILLER = "function a(b){return b+1}var c=[1,2,3].map(a);" * 400

# context name -> (path, content builder, line of the token)
Context = tuple[str, Callable[[str], str], int]
CONTEXTS: dict[str, Context] = {
    "minified": ("dist/app.min.js", lambda t: f'{FILLER}var a={{b:1}},c="{t}";{FILLER}\n', 1),
    "call argument": ("lib/pay.js", lambda t: f'"use strict";\nconst client = require("sdk")("{t}")\n', 2),
    "object literal": (
        "lib/client.js",
        lambda t: (
            f'import {{ createClient }} from "sdk";\nexport default createClient({{ apiKey: "{t}" }});\n'
        ),
        2,
    ),
    "json": (
        "config/settings.json",
        lambda t: json.dumps({"name": "demo", "auth": {"token": t}}, indent=2) + "\n",
        4,
    ),
    "source map": (
        "dist/index.js.map",
        lambda t: json.dumps(
            {
                "version": 3,
                "sources": ["../src/index.ts"],
                "sourcesContent": [f"// config\nconst k = process.env.K\n{t}\n"],
                "mappings": "AAAA",
            }
        ),
        1,
    ),
    "env file": ("deploy/app.env", lambda t: f"# deploy settings\nAPI_TOKEN={t}\n", 2),
    "readme code block": (
        "README.md",
        lambda t: f"# demo\n\nUse it:\n\n```js\nconst sdk = connect('{t}')\n```\n",
        6,
    ),
}


def _scan(path: str, text: str) -> list[SecretFinding]:
    return scan_files([(path, text.encode())], ScanSettings.default().plan, jobs=1)


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("name", TOKENS)
def test_each_token_format_is_an_error_in_each_context(name: str, context: str) -> None:
    token, rule = TOKENS[name]
    path, build, line = CONTEXTS[context]
    found = [f for f in _scan(path, build(token)) if f.secret == token]
    assert found, f"{rule} not found in {context}"
    assert {(f.line, f.note) for f in found} == {(line, None)}
    # where detect-secrets' own plugin reports it too, that finding carries the token
    assert {f.type for f in found} & {
        rule,
        "GitHub Token",
        "Stripe Access Key",
        "Slack Token",
        "SendGrid API Key",
    }


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_private_key_block_is_an_error_in_each_context(context: str) -> None:
    path, build, line = CONTEXTS[context]
    # in one-line contexts the block is a string with escaped newlines, as bundlers write it
    pem = (
        PEM
        if context in ("env file", "readme code block", "source map", "json")
        else PEM.replace("\n", "\\n")
    )
    found = [f for f in _scan(path, build(pem)) if "PRIVATE" in f.secret]
    assert found and all(f.note is None for f in found), [f.note for f in found]
    assert {f.line for f in found} == {line}


def test_a_token_glued_to_an_escape_is_found_decoded() -> None:
    token, _ = TOKENS["npm"]
    # "\nnpm_..." in raw JSON: the token is preceded by the letter n until decoded
    text = json.dumps({"sourcesContent": [f"const a = 1;\n{token}\n"]})
    assert f"\\n{token}" in text
    [found] = [f for f in _scan("a.js.map", text) if f.secret == token]
    assert (found.line, found.note) == (1, None)
    spelled = token[:4] + "".join(f"\\u{ord(c):04x}" for c in token[4:])
    [found] = [f for f in _scan("b.js", f'const t = "{spelled}";\n') if f.secret == token]
    assert found.line == 1


def test_a_token_inside_a_longer_word_is_not_that_token() -> None:
    token, _ = TOKENS["npm"]
    assert not [f for f in _scan("a.js", f"const t = 'x{token}';\n") if f.type == "npm Access Token"]
    assert not [f for f in _scan("a.js", f"const t = '{token}Z';\n") if f.type == "npm Access Token"]


def test_the_secret_is_kept_for_redaction_but_never_in_repr() -> None:
    token, _ = TOKENS["stripe"]
    [found] = [f for f in _scan("a.js", f'x("{token}")\n') if f.type.startswith("Stripe")]
    # detect-secrets' Stripe pattern hashes the first 24 characters; the whole key is kept
    assert found.type == "Stripe Access Key" and found.secret == token and token not in repr(found)
