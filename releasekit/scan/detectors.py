"""releasekit's detectors for what detect-secrets misses: token formats and file names.

The token detectors are detect-secrets ``RegexBasedDetector`` plugins, so they share its
line handling, filters and allowlist comments. They are not registered with
detect-secrets: a baseline lists only detect-secrets' own plugins in ``plugins_used``,
so that detect-secrets itself can still read it.

File-name rules report a file that should never be published whatever its content
(``.env``, ``credentials.json``, private key files) and an ``.npmrc`` that carries a
registry token.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from releasekit.scan.prefilter import Core


@functools.cache
def extra_plugin_classes() -> list[type[Any]]:
    """The extra detectors, as detect-secrets plugin classes (imported lazily)."""
    from detect_secrets.plugins.base import RegexBasedDetector

    class NpmAccessTokenDetector(RegexBasedDetector):  # type: ignore[misc]
        """npm access tokens (``npm_`` + 36), anywhere, not only in ``.npmrc`` lines."""

        secret_type = "npm Access Token"
        denylist = (re.compile(r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),)

    class GitHubFineGrainedTokenDetector(RegexBasedDetector):  # type: ignore[misc]
        secret_type = "GitHub Fine-Grained Token"
        denylist = (re.compile(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9])"),)

    class StripeKeyDetector(RegexBasedDetector):  # type: ignore[misc]
        """Live secret and restricted keys, at their full length (detect-secrets stops at 24)."""

        secret_type = "Stripe Live Key"
        denylist = (re.compile(r"(?<![A-Za-z0-9])[rs]k_live_[0-9A-Za-z]{24,247}(?![0-9A-Za-z])"),)

    class SlackTokenDetector(RegexBasedDetector):  # type: ignore[misc]
        """Bot, user and app-level tokens, including the rotating ``xoxe.`` form."""

        secret_type = "Slack Bot or User Token"
        denylist = (
            re.compile(r"(?<![A-Za-z0-9])(?:xoxe\.)?xox[bpe]-[0-9]{6,}-[0-9A-Za-z-]{10,}"),
            re.compile(r"(?<![A-Za-z0-9])xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-f0-9]{32,}"),
        )

    class SendGridKeyDetector(RegexBasedDetector):  # type: ignore[misc]
        secret_type = "SendGrid API Key"
        denylist = (re.compile(r"(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"),)

    class GoogleApiKeyDetector(RegexBasedDetector):  # type: ignore[misc]
        secret_type = "Google API Key"
        denylist = (re.compile(r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),)

    class PrivateKeyBlockDetector(RegexBasedDetector):  # type: ignore[misc]
        """PEM private key headers, including PKCS#8 encrypted keys detect-secrets misses."""

        secret_type = "Private Key Block"
        denylist = (re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),)

    return [
        NpmAccessTokenDetector,
        GitHubFineGrainedTokenDetector,
        StripeKeyDetector,
        SlackTokenDetector,
        SendGridKeyDetector,
        GoogleApiKeyDetector,
        PrivateKeyBlockDetector,
    ]


EXTRA_TYPES = (
    "npm Access Token",
    "GitHub Fine-Grained Token",
    "Stripe Live Key",
    "Slack Bot or User Token",
    "SendGrid API Key",
    "Google API Key",
    "Private Key Block",
)

# The extra detectors' cores (see prefilter.py): their literal prefixes.
EXTRA_CORES: dict[str, tuple[Core, ...]] = {
    "NpmAccessTokenDetector": (Core(re.compile("npm_")),),
    "GitHubFineGrainedTokenDetector": (Core(re.compile("github_pat_")),),
    "StripeKeyDetector": (Core(re.compile("k_live_")),),
    "SlackTokenDetector": (Core(re.compile("xox[bpe]-")), Core(re.compile("xapp-"))),
    "SendGridKeyDetector": (Core(re.compile(r"SG\.")),),
    "GoogleApiKeyDetector": (Core(re.compile("AIza")),),
    "PrivateKeyBlockDetector": (Core(re.compile("PRIVATE KEY-----")),),
}

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
