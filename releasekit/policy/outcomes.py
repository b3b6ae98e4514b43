"""How a policy ends early: ``fail(msg)`` and ``skip(reason)``.

They derive from BaseException (as pytest's outcomes do) so a policy's own
``except Exception`` cannot swallow them.
"""

from __future__ import annotations

from typing import NoReturn


class OutcomeException(BaseException):
    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class Failed(OutcomeException):
    """Raised by :func:`fail`."""


class Skipped(OutcomeException):
    """Raised by :func:`skip`. A skipped quality check is "not applicable"."""


def fail(message: str) -> NoReturn:
    """Fail the running policy with ``message``."""
    raise Failed(message)


def skip(reason: str) -> NoReturn:
    """Skip the running policy; quality checks that skip leave the score's denominator."""
    raise Skipped(reason)
