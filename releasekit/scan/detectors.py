"""releasekit's file-name rules: files that are findings by what they are.

They report a file that should never be published whatever its content (``.env``,
``credentials.json``, private key files) and an ``.npmrc`` that carries a registry
token. Token formats are in :mod:`releasekit.scan.tokens`.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# Rule types of the file-name checks.
ENV_FILE = "Environment File"
NPMRC_TOKEN = "npmrc Auth Token"
CREDENTIALS_FILE = "Credentials File"
PRIVATE_KEY_FILE = "Private Key File"
SECRET_IN_NAME = "Secret In File Name"
FILENAME_TYPES = (ENV_FILE, NPMRC_TOKEN, CREDENTIALS_FILE, PRIVATE_KEY_FILE, SECRET_IN_NAME)

_CREDENTIAL_NAMES = {"credentials.json", "service-account.json"}
# Files that hold passwords by design: curl/ftp/git's .netrc, PostgreSQL's .pgpass.
_PASSWORD_FILES = {".netrc", "_netrc", ".pgpass"}
_KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}
# PEM files, and PKCS#12 bundles (a certificate with its private key).
_KEY_SUFFIXES = (".pem", ".p12", ".pfx")
_NPMRC_TOKEN = re.compile(r"^\s*(?:[^\s=]*:)?_authToken\s*=\s*(\S+?)\s*$", re.MULTILINE)
_NETRC_PASSWORD = re.compile(r"(?:^|\s)password\s+(\S+)")
_DOCKER_SECRETS = ("auth", "password", "identitytoken", "registrytoken")


@dataclass(frozen=True)
class NameHit:
    """A file-name finding: rule type, line (``None`` for the whole file), secret hash.

    ``secret`` is a found value (for redaction only), empty for whole-file findings;
    ``note`` says why it is not plausibly real (see :mod:`releasekit.scan.plausibility`).
    """

    type: str
    line: int | None
    hashed_secret: str
    secret: str = field(default="", repr=False, compare=False)
    note: str | None = None


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _value_hit(rule: str, text: str, offset: int, value: str) -> NameHit:
    return NameHit(rule, text.count("\n", 0, offset) + 1, _sha1(value.encode("utf-8")), value)


def check_filename(path: str, data: bytes) -> Iterator[NameHit]:
    """File-name findings for one packed file.

    A whole-file finding's hash is the sha1 of the file's bytes: a baseline entry for it
    stops matching once the file changes, as a new key would be a new secret.
    """
    yield from _secrets_in_path(path)
    name = posixpath.basename(path)
    lower = name.lower()
    if name == ".env" or name.startswith(".env.") or name == ".envrc":
        yield NameHit(ENV_FILE, None, _sha1(data))
    elif lower in _CREDENTIAL_NAMES:
        yield NameHit(CREDENTIALS_FILE, None, _sha1(data))
    elif lower in _PASSWORD_FILES:
        yield from _password_file(name, data)
    elif lower.endswith(_KEY_SUFFIXES) or name in _KEY_NAMES:
        yield NameHit(PRIVATE_KEY_FILE, None, _sha1(data))
    elif name == ".npmrc":
        text = data.decode("utf-8", errors="replace")
        for match in _NPMRC_TOKEN.finditer(text):
            value = match.group(1).strip("\"'")
            # ${NPM_TOKEN} is a reference to the environment, the safe way to write it.
            if not value or value.startswith("${"):
                continue
            yield _value_hit(NPMRC_TOKEN, text, match.start(1), value)
    elif name == "config.json" and posixpath.basename(posixpath.dirname(path)) == ".docker":
        yield from _docker_auths(data)


def _password_file(name: str, data: bytes) -> Iterator[NameHit]:
    """Each password in a .netrc or .pgpass; the whole file if none can be read out."""
    text = data.decode("utf-8", errors="replace")
    found = False
    if name.lower() == ".pgpass":
        offset = 0
        for line in text.split("\n"):
            # host:port:database:user:password, with \: for a literal colon
            fields = re.split(r"(?<!\\):", line)
            if not line.lstrip().startswith("#") and len(fields) >= 5 and fields[4].strip():
                found = True
                yield _value_hit(CREDENTIALS_FILE, text, offset, ":".join(fields[4:]).strip())
            offset += len(line) + 1
    else:
        for match in _NETRC_PASSWORD.finditer(text):
            found = True
            yield _value_hit(CREDENTIALS_FILE, text, match.start(1), match.group(1))
    if not found:
        yield NameHit(CREDENTIALS_FILE, None, _sha1(data))


def _docker_auths(data: bytes) -> Iterator[NameHit]:
    """Registry credentials stored in a Docker client config (``auths``)."""
    try:
        config = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return
    auths = config.get("auths") if isinstance(config, dict) else None
    if not isinstance(auths, dict):
        return
    text = data.decode("utf-8", errors="replace")
    for entry in auths.values():
        if not isinstance(entry, dict):
            continue
        for key in _DOCKER_SECRETS:
            value = entry.get(key)
            if isinstance(value, str) and value:
                yield _value_hit(CREDENTIALS_FILE, text, max(text.find(value), 0), value)


def _secrets_in_path(path: str) -> Iterator[NameHit]:
    """A token spelled out in a file or folder name (the name is published too)."""
    from releasekit.scan.plausibility import implausible_reason
    from releasekit.scan.tokens import scan_tokens

    for hit in scan_tokens(path):
        note = implausible_reason(hit.type, hit.secret, hit.context)
        yield NameHit(SECRET_IN_NAME, None, _sha1(hit.secret.encode("utf-8")), hit.secret, note)
