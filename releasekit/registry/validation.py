"""Check registry answers against the JSON Schemas shipped in ``schemas/``.

A registry (or a proxy in front of it) can answer anything: HTML error pages,
truncated bodies, fields of the wrong type. Every answer the client relies on
passes through :func:`parse_answer`, so a bad one becomes a one-line
:class:`~releasekit.errors.RegistryError` instead of a ``KeyError`` deep inside
the CLI.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from releasekit.errors import RegistryError
from releasekit.redaction import redact, register_secret, shorten

if TYPE_CHECKING:
    import httpx

_MAX_DETAIL = 160


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("schemas").joinpath(f"{name}.json").read_text("utf-8")
    return dict(json.loads(text))


@cache
def _validator(name: str) -> Any:
    # jsonschema is heavy; import it only when an answer needs checking.
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    def retrieve(uri: str) -> Resource[Any]:
        return Resource.from_contents(_load(uri.rsplit("/", 1)[-1].removesuffix(".json")))

    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    return Draft202012Validator(_load(name), registry=registry)


def _short(text: str) -> str:
    return shorten(" ".join(text.split()), _MAX_DETAIL)


def validate(instance: Any, schema: str, *, what: str) -> Any:
    """Answer ``instance`` if it matches ``schema``, else a one-line :class:`RegistryError`."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(schema).iter_errors(instance))
    if error is None:
        return instance
    where = "/".join(str(p) for p in error.absolute_path) or "top level"
    # ``error.message`` quotes the offending value, which could be anything the server sent: keep it short
    # and redacted.
    raise RegistryError(redact(f"registry answered an unexpected {what} ({where}: {_short(error.message)})"))


def parse_answer(response: httpx.Response, schema: str, *, what: str, secret_field: str | None = None) -> Any:
    """Decode ``response`` as JSON and validate it; errors name ``what`` the answer was for.

    ``secret_field`` (a token the answer carries) is registered for redaction
    before validation, so that no schema error can ever quote it.
    """
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        status = response.status_code
        if not response.content.strip():
            message = f"registry answered an empty body for {what} (HTTP {status})"
        else:
            message = f"registry answered malformed JSON for {what} (HTTP {status}: {_short(str(exc))})"
        raise RegistryError(message, status=status) from None
    if secret_field is not None and isinstance(body, dict) and isinstance(body.get(secret_field), str):
        register_secret(body[secret_field])
    return validate(body, schema, what=what)
