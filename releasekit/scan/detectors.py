"""releasekit's file-name rules: files that are findings by what they are.

They report a file that should never be published whatever its content (``.env``,
``credentials.json``, private key files) and an ``.npmrc`` that carries a registry
token. Token formats are in :mod:`releasekit.scan.tokens`.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# Rule types of the file-name checks.
ENV_FILE = "Environment File"
NPMRC_TOKEN = "npmrc Auth Token"
CREDENTIALS_FILE = "Credentials File"
PRIVATE_KEY_FILE = "Private Key File"
FILENAME_TYPES = (ENV_FILE, NPMRC_TOKEN, CREDENTIALS_FILE, PRIVATE_KEY_FILE)

_CREDENTIAL_NAMES = {"credentials.json", "service-account.json"}
_NPMRC_TOKEN = re.compile(r"^\s*(?:[^\s=]*:)?_authToken\s*=\s*(\S+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class NameHit:
    """A file-name finding: rule type, line (``None`` for the whole file), secret hash.

    ``secret`` is a found token (for redaction only), empty for whole-file findings.
    """

    type: str
    line: int | None
    hashed_secret: str
    secret: str = field(default="", repr=False, compare=False)


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def check_filename(path: str, data: bytes) -> Iterator[NameHit]:
    """File-name findings for one packed file.

    A whole-file finding's hash is the sha1 of the file's bytes: a baseline entry for it
    stops matching once the file changes, as a new key would be a new secret.
    """
    name = posixpath.basename(path)
    lower = name.lower()
    if name == ".env" or name.startswith(".env."):
        yield NameHit(ENV_FILE, None, _sha1(data))
    elif lower in _CREDENTIAL_NAMES:
        yield NameHit(CREDENTIALS_FILE, None, _sha1(data))
    elif lower.endswith(".pem") or name == "id_rsa":
        yield NameHit(PRIVATE_KEY_FILE, None, _sha1(data))
    elif name == ".npmrc":
        text = data.decode("utf-8", errors="replace")
        for match in _NPMRC_TOKEN.finditer(text):
            value = match.group(1).strip("\"'")
            # ${NPM_TOKEN} is a reference to the environment, the safe way to write it.
            if not value or value.startswith("${"):
                continue
            line = text.count("\n", 0, match.start(1)) + 1
            yield NameHit(NPMRC_TOKEN, line, _sha1(value.encode("utf-8")), value)
