"""Real-looking tokens of every format releasekit detects, generated at run time.

Nothing here is a token until the tests run (push protection, and our own scans of this
repository, would rightly complain about a committed one). The checksummed formats
(npm, GitHub) get a valid CRC32, so they are exactly what npm or GitHub would issue.
"""

from __future__ import annotations

import base64
import random
import string
import textwrap

from releasekit.scan.plausibility import base62_crc32

ALNUM = string.ascii_letters + string.digits
PEM_KIND = "PRIVATE" + " KEY"


def _s(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def checksummed(prefix: str, rng: random.Random) -> str:
    body = _s(rng, ALNUM, 30)
    return prefix + body + base62_crc32(body)


def pem_block(rng: random.Random, kind: str = "RSA ") -> str:
    body = base64.b64encode(rng.randbytes(600)).decode()
    lines = "\n".join(textwrap.wrap(body, 64))
    return f"-----BEGIN {kind}{PEM_KIND}-----\n{lines}\n-----END {kind}{PEM_KIND}-----"


def tokens(seed: int = 13) -> dict[str, tuple[str, str]]:
    """format name -> (a real-looking token, the finding type that must report it)."""
    rng = random.Random(seed)
    return {
        "npm": (checksummed("np" + "m_", rng), "npm Access Token"),
        "github": (checksummed("gh" + "p_", rng), "GitHub Token"),
        "github_oauth": (checksummed("gh" + "o_", rng), "GitHub Token"),
        "github_pat": (
            "github" + "_pat_" + _s(rng, ALNUM, 22) + "_" + _s(rng, ALNUM, 59),
            "GitHub Fine-Grained Token",
        ),
        "stripe": ("sk" + "_live_" + _s(rng, ALNUM, 32), "Stripe Live Key"),
        "slack": (
            "xo"
            + "xb-"
            + _s(rng, string.digits, 12)
            + "-"
            + _s(rng, string.digits, 13)
            + "-"
            + _s(rng, ALNUM, 24),
            "Slack Bot or User Token",
        ),
        "sendgrid": ("S" + "G." + _s(rng, ALNUM, 22) + "." + _s(rng, ALNUM, 43), "SendGrid API Key"),
        "google": ("AI" + "za" + _s(rng, ALNUM + "_-", 35), "Google API Key"),
        "aws": ("AK" + "IA" + _s(rng, string.ascii_uppercase + "234567", 16), "AWS Access Key"),
    }
