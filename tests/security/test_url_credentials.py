"""Registry URLs: credentials in them are refused and never shown; malformed ones are one clear line.

Each URL is tried from every place a registry can be named: the flag, the
project's ``.npmrc`` and ``releasekit.yaml``. No registry is contacted: every
one of these is refused before any request.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.registry.names import normalize_registry_url, strip_userinfo
from tests.lpm_runner import Run

PASSWORD = "hunter2-Pa55word"

# (URL as written, what the error may show of it)
WITH_CREDENTIALS = [
    (f"https://alice:{PASSWORD}@registry.example.test/", "https://registry.example.test/"),
    (f"ftp://alice:{PASSWORD}@host/", "ftp://host/"),
    (f"htps://alice:{PASSWORD}@host/", "htps://host/"),
    (f"http://alice:{PASSWORD}@/", "http:///"),
    (f"http://{PASSWORD}@127.0.0.1:4873/", "http://127.0.0.1:4873/"),  # a token as the user name
    (f"http://alice:{PASSWORD}@[::1", "http://[::1"),
    (f"http://alice:{PASSWORD}@host:99999999/", "http://host:99999999/"),
]
MALFORMED = [
    ("http://[::1", "unbalanced [ ] around an IPv6 address"),
    ("http://host:abc/", "port is not a number"),
    ("http://host:99999999/", "port out of range"),
    ("ftp://host/", "must be an absolute http(s) URL"),
    ("htps://host/", "must be an absolute http(s) URL"),
    ("http:///", "must be an absolute http(s) URL"),
]


def from_flag(url: str, tmp_path: Path) -> list[str]:
    return ["--npm-registry", url]


def from_npmrc(url: str, tmp_path: Path) -> list[str]:
    (tmp_path / ".npmrc").write_text(f"registry={url}\n")
    return []


def from_config(url: str, tmp_path: Path) -> list[str]:
    (tmp_path / "releasekit.yaml").write_text(f'stage:\n  registry: "{url}"\n')
    return []


SOURCES = {"flag": from_flag, ".npmrc": from_npmrc, "releasekit.yaml": from_config}


@pytest.fixture
def in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NPM_TOKEN", "npm_token_that_must_not_be_needed_here")
    return tmp_path


def one_error_line(run: Run) -> str:
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert lines and lines[0].startswith("Error:"), run.text
    assert "Traceback" not in run.text
    return lines[0]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("url", "shown"), WITH_CREDENTIALS)
def test_credentials_in_a_registry_url_are_a_usage_error_without_them(
    lpm: Callable[..., Run], in_project: Path, source: str, url: str, shown: str
) -> None:
    extra = SOURCES[source](url, in_project)
    for args in (["stage", "list", *extra], ["stage", "list", "--json", *extra]):
        run = lpm(*args)
        assert run.code == 2, run.text
        assert PASSWORD not in run.text and "alice" not in run.text
        if "--json" in args:
            assert run.json()["error_code"] == "usage"
            assert shown in run.json()["error"]
        else:
            line = one_error_line(run)
            assert shown in line and ("credentials" in line or "malformed" in line), line


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("url", "problem"), MALFORMED)
def test_a_malformed_registry_url_is_one_clear_line(
    lpm: Callable[..., Run], in_project: Path, source: str, url: str, problem: str
) -> None:
    run = lpm("stage", "list", *SOURCES[source](url, in_project))
    assert run.code == 2, run.text
    line = one_error_line(run)
    assert problem in line and repr(url) in line, line


@pytest.mark.parametrize(("url", "shown"), WITH_CREDENTIALS)
def test_strip_userinfo_never_raises_and_registers_the_secret(url: str, shown: str) -> None:
    from releasekit.redaction import redact

    assert strip_userinfo(url) == shown
    assert PASSWORD not in redact(f"a message quoting {url} and {PASSWORD}")


def test_a_url_without_credentials_is_kept_as_written() -> None:
    assert strip_userinfo("https://registry.example.test/a@b") == "https://registry.example.test/a@b"
    assert normalize_registry_url("http://127.0.0.1:4873") == "http://127.0.0.1:4873/"
