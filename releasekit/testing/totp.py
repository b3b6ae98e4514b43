"""RFC 6238 time-based one-time passwords (SHA-1, 6 digits, 30 s), for 2FA tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import parse_qs, urlparse

PERIOD = 30


def secret_from_uri(uri: str) -> str:
    """The base32 secret of an ``otpauth://totp/...?secret=...`` URI."""
    query = parse_qs(urlparse(uri).query)
    try:
        return query["secret"][0]
    except (KeyError, IndexError) as exc:
        raise ValueError("otpauth URI has no secret") from exc


def totp(secret: str, at: float | None = None, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // PERIOD)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % (10**digits)
    return str(code).zfill(digits)
