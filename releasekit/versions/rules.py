"""The local halves of npm's version rules: semver versions, semver ranges, explicit tags.

npm refuses a dist-tag that node-semver's ``validRange`` accepts (``1``, ``v2``,
``^1.2``, ``1.x``, ``x``...), because ``npm install pkg@<tag>`` could not tell the
tag from a range. The grammar below is node-semver's (its README's BNF plus the
leniencies its regexes allow: a ``v``/``=`` prefix, spaces after an operator, ``~>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import semver

    from releasekit.config import Config
    from releasekit.options import StageOptions

_NR = r"(?:0|[1-9]\d*)"
_XR = rf"(?:[xX*]|{_NR})"
_IDENT = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
_PRE = rf"(?:-{_IDENT}(?:\.{_IDENT})*)"
_BUILD = re.compile(r"\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*")
_PARTIAL = rf"[v=\s]*({_XR})(?:\.({_XR})(?:\.({_XR}){_PRE}?)?)?"
_TILDE_OR_CARET = re.compile(rf"^(?:~>?|\^){_PARTIAL}$")
_PRIMITIVE = re.compile(rf"^(?:<|>)?=?\s*{_PARTIAL}$")
_HYPHEN = re.compile(rf"^\s*{_PARTIAL}\s+-\s+{_PARTIAL}\s*$")
_STAR = re.compile(r"(?:<|>)?=?\s*\*")
_FULL_COMPARATOR = re.compile(rf"^(?:<|>)?=?\s*v?{_NR}\.{_NR}\.{_NR}{_PRE}?$")
# "> 1.2" and "~ 1" are one comparator: glue operators to what follows before splitting on spaces.
_OPERATOR_SPACE = re.compile(r"(~>?|\^|<=|>=|<|>|=)\s+")


def _is_x(part: str | None) -> bool:
    return not part or part in ("x", "X", "*")


def _comparator_ok(comparator: str) -> bool:
    if _TILDE_OR_CARET.match(comparator):
        return True
    match = _PRIMITIVE.match(comparator)
    if match is None:
        # Last, node-semver deletes stray stars ("1.2.*3" -> "1.2.3") and parses what is left.
        rest = _STAR.sub("", comparator.strip(), count=1)
        return rest == "" or bool(_FULL_COMPARATOR.match(rest))
    major, minor, patch = match.groups()
    # node-semver leaves "*.1" or "1.x.2" unexpanded, and then rejects it.
    return not ((_is_x(major) and not _is_x(minor)) or (_is_x(minor) and patch and not _is_x(patch)))


def is_semver_range(text: str) -> bool:
    """Whether node-semver's ``validRange(text)`` would accept ``text``."""
    if not isinstance(text, str):
        return False
    for part in text.strip().split("||"):
        part = _BUILD.sub("", part).strip()  # build metadata never matters in a range
        if not part or _HYPHEN.match(part):
            continue  # an empty alternative is "*"
        glued = _OPERATOR_SPACE.sub(r"\1", part)
        if not all(_comparator_ok(comparator) for comparator in glued.split()):
            return False
    return True


def parse_version(text: object) -> semver.Version | None:
    """A strict semver 2.0 version (what the registry stores), or ``None``."""
    import semver

    if not isinstance(text, str):
        return None
    try:
        return semver.Version.parse(text)
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class ExplicitTag:
    tag: str
    source: str  # "--tag", "publishConfig.tag" or "releasekit.yaml stage.tag"


def explicit_tag(
    manifest: Mapping[str, Any], options: StageOptions, config: Config | None
) -> ExplicitTag | None:
    """The dist-tag someone chose, or ``None`` when the tag would be npm's implicit ``latest``.

    Same precedence as staging: the flag, then ``publishConfig.tag``, then config.
    """
    if options.tag:
        return ExplicitTag(options.tag.strip(), "--tag")
    publish_config = manifest.get("publishConfig")
    if (
        isinstance(publish_config, Mapping)
        and isinstance(publish_config.get("tag"), str)
        and publish_config["tag"].strip()
    ):
        return ExplicitTag(publish_config["tag"].strip(), "publishConfig.tag")
    configured = config.get("stage.tag") if config is not None else None
    if isinstance(configured, str) and configured.strip():
        return ExplicitTag(configured.strip(), "releasekit.yaml stage.tag")
    return None
