"""What reaches a terminal: redacted before layout, control characters shown, never interpreted.

Three rules, for every string a person sees:

- secrets are masked (:mod:`releasekit.redaction`) before rich wraps, folds or
  truncates anything, so no terminal width reveals part of one: a
  :func:`console` masks every text as it is laid out, and its output stream is
  redacted once more as a last net;
- control characters (ESC, CR, BEL, C1 codes, bidirectional overrides) are made
  visible as escapes (``\\x1b``); line feeds and tabs survive in layout text,
  but :func:`visible` escapes them too for one-line fields (file names,
  registry strings);
- text from files or a registry is never taken as rich markup: the console
  reads no markup in strings (table cells, titles), markup is only what
  :func:`markup` is handed, and :func:`escape` (:func:`visible` plus rich's
  markup escaping) embeds a field in it, so ``[/x]`` prints as itself.
"""

from __future__ import annotations

import re
import sys
from typing import IO, TYPE_CHECKING, Any

from releasekit.redaction import matches, redact

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.text import Text

__all__ = ["console", "escape", "layout_safe", "markup", "visible"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 but line feed and tab, DEL, C1, and the bidirectional controls that reorder what is shown.
_LAYOUT_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_IN_LAYOUT = re.compile(f"[{_LAYOUT_UNSAFE}]")
_UNSAFE_IN_FIELD = re.compile(f"[{_LAYOUT_UNSAFE}\n\t]")


def _shown(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """A one-line field (a file name, a registry string): every control character escaped."""
    return _UNSAFE_IN_FIELD.sub(lambda m: _shown(m.group()), text)


def layout_safe(text: str) -> str:
    """Text with its own line breaks: controls escaped but line feeds and tabs, then redacted."""
    return redact(_UNSAFE_IN_LAYOUT.sub(lambda m: _shown(m.group()), text))


def escape(text: str) -> str:
    """A field to embed in rich markup: :func:`visible`, then markup-escaped."""
    from rich.markup import escape as markup_escape

    return markup_escape(visible(text))


def markup(text: str) -> Text:
    """Rich markup built by our code (data in it through :func:`escape`) as a Text.

    Markup that does not parse is shown as it is, never raised: a stray ``[/x]``
    must not turn a report into an internal error.
    """
    from rich.errors import MarkupError
    from rich.text import Text

    try:
        return Text.from_markup(text)
    except MarkupError:
        return Text(text)


def _safe_text(text: Text) -> Text:
    """``text`` with controls escaped and secrets masked, styles kept on what remains."""
    plain = text.plain
    spans: list[tuple[int, int, str]] = [
        (m.start(), m.end(), _shown(m.group())) for m in _UNSAFE_IN_LAYOUT.finditer(plain)
    ]
    spans += matches(plain)
    if not spans:
        return text
    spans.sort(key=lambda s: (s[0], -s[1]))
    out = text.blank_copy()
    last = 0
    for start, end, replacement in spans:
        if start < last:  # a control character inside a masked secret: already gone
            continue
        out.append_text(text[last:start])
        out.append(replacement)
        last = end
    out.append_text(text[last:])
    return out


class _RedactingStream:
    """The console's file: redacts each write (rich writes a whole print at once)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(redact(text))

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"


def _console_class() -> type[Console]:
    from rich.console import Console
    from rich.text import Text

    class RedactingConsole(Console):
        """A rich console that lays out only safe text: every str and Text is cleaned first."""

        def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Any:
            if isinstance(renderable, str):
                opts = options or self.options
                renderable = self.render_str(renderable, highlight=opts.highlight, markup=opts.markup)
            if isinstance(renderable, Text):
                renderable = _safe_text(renderable)
            result: Any = super().render(renderable, options)
            return result

    return RedactingConsole


def console(*, stderr: bool = False, width: int | None = None, **kwargs: Any) -> Console:
    """A rich console on stdout (or stderr) whose output is always redacted and safe; strings are never markup."""
    stream = sys.stderr if stderr else sys.stdout
    cls = _console_class()
    file: Any = _RedactingStream(stream)  # a text stream as far as rich is concerned
    return cls(file=file, width=width, highlight=False, soft_wrap=True, markup=False, emoji=False, **kwargs)
