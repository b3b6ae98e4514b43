"""Credentials a registry echoes back never reach the terminal or JSON, at any width or length."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from releasekit.package.pack import pack_project
from tests.lpm_runner import Run
from tests.security.echo_registry import STAGE_ID, EchoRegistry
from tests.security.leaks import leaks

TOKEN = "rk-planted-token-Zq8Vw3Lm"  # no known token shape: only registration masks it


@pytest.fixture
def echo_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[EchoRegistry]:
    monkeypatch.setenv("NPM_TOKEN", TOKEN)
    with EchoRegistry() as registry:
        yield registry


def assert_clean(run: Run) -> None:
    assert not leaks(run.text, [TOKEN]), f"lpm {' '.join(run.args)} printed part of the token:\n{run.text}"


def test_the_double_really_echoes_the_token(echo_registry: EchoRegistry, lpm: Callable[..., Run]) -> None:
    run = lpm("stage", "list", "--npm-registry", echo_registry.url, "--json")
    assert run.code == 0
    assert run.json()["data"][0]["actor"] == "actor-***"
    assert echo_registry.seen[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_stage_list_at_every_terminal_width(
    echo_registry: EchoRegistry, lpm: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Narrow terminals get one block per entry, wide ones a table whose cells fold:
    # the token must be masked before either layout, wherever a line breaks.
    layouts = set()
    for width in range(40, 301):
        monkeypatch.setenv("COLUMNS", str(width))
        run = lpm("stage", "list", "--npm-registry", echo_registry.url)
        assert run.code == 0, run.text
        assert_clean(run)
        assert "***" in run.text
        layouts.add("table" if "┃" in run.text else "blocks")
    assert layouts == {"table", "blocks"}


@pytest.mark.parametrize("width", ["40", "80", "250"])
def test_stage_view(
    echo_registry: EchoRegistry, lpm: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    monkeypatch.setenv("COLUMNS", width)
    run = lpm("stage", "view", STAGE_ID, "--npm-registry", echo_registry.url)
    assert run.code == 0, run.text
    assert_clean(run)
    assert "actor: actor-***" in run.text


@pytest.mark.parametrize("fmt", [(), ("--json",)])
def test_a_token_after_padding_is_masked_whole_at_every_truncation_point(
    echo_registry: EchoRegistry, lpm: Callable[..., Run], fmt: tuple[str, ...]
) -> None:
    # The registry's error text is cut at 200 characters ("refused: " + padding +
    # " " + token): pad so that the cut lands before, inside (at every offset) and after the token.
    for padding in range(200 - 9 - 1 - len(TOKEN) - 2, 200 - 9 + 2):
        echo_registry.padding = padding
        run = lpm("stage", "reject", STAGE_ID, "--npm-registry", echo_registry.url, *fmt)
        assert run.code == 1, run.text
        assert_clean(run)


@pytest.mark.parametrize("fmt", [(), ("--json",)])
def test_an_internal_error_and_its_debug_traceback_are_redacted(
    echo_registry: EchoRegistry,
    lpm: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
    fmt: tuple[str, ...],
) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"a bug that quotes the token {TOKEN}")

    monkeypatch.setattr("releasekit.registry.client.RegistryClient.stage_list", bug)
    monkeypatch.setenv("LPM_DEBUG", "1")
    run = lpm("stage", "list", "--npm-registry", echo_registry.url, *fmt)
    assert run.code == 3
    assert "Traceback" in run.err and "a bug that quotes the token ***" in run.text
    assert_clean(run)


@pytest.mark.parametrize("fmt", [(), ("--json",)])
def test_a_token_in_an_invalid_answer_is_masked_at_every_cut(
    echo_registry: EchoRegistry, lpm: Callable[..., Run], fmt: tuple[str, ...]
) -> None:
    # A field that fails the answer's schema is quoted in the error, cut at 160 characters.
    cut = 160 - 3
    for padding in range(cut - len(TOKEN) - 3, cut + 2):
        echo_registry.fields = {"shasum": "x" * padding + TOKEN}
        run = lpm("stage", "view", STAGE_ID, "--npm-registry", echo_registry.url, *fmt)
        assert run.code == 1, run.text
        assert "unexpected" in run.text
        assert_clean(run)


FOUND = "AKIAZ5R3QWERTY7UIOPL"  # found by the scan; no redaction shape matches it


@pytest.mark.parametrize("fmt", [(), ("--json",)])
def test_a_found_secret_in_a_quoted_line_is_masked_at_every_cut(
    tmp_path: Path, lpm: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, fmt: tuple[str, ...]
) -> None:
    # The diff quotes each line using eval, cut at 120 characters: one file per padding.
    prefix = "eval(x); // "
    paddings = range(120 - len(prefix) - len(FOUND) - 3, 120 - len(prefix) + 2)
    root = tmp_path / "project"
    root.mkdir()
    (root / "package.json").write_text(json.dumps({"name": "rk-cut-demo", "version": "1.0.0"}))
    for padding in paddings:
        (root / f"f{padding}.js").write_text(f"{prefix}{'x' * padding}{FOUND}\n")
    tarball = pack_project(root).tarball
    monkeypatch.setenv("NPM_TOKEN", TOKEN)
    monkeypatch.setenv("COLUMNS", "300")  # one table row per line: nothing folded out of the search
    with EchoRegistry(staged=("rk-cut-demo", "1.0.0", tarball)) as registry:
        run = lpm("stage", "diff", STAGE_ID, "--npm-registry", registry.url, *fmt)
    assert run.code == 0, run.text
    assert run.text.count("eval(x)") >= len(paddings)
    assert not leaks(run.text, [FOUND, TOKEN]), run.text


def test_a_third_party_log_warning_is_redacted(
    echo_registry: EchoRegistry,
    lpm: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    def chatty(*args: object, **kwargs: object) -> list[object]:
        logging.getLogger("some.library").warning("retrying with token %s", TOKEN)
        return []

    monkeypatch.setattr("releasekit.registry.client.RegistryClient.stage_list", chatty)
    run = lpm("stage", "list", "--npm-registry", echo_registry.url)
    assert run.code == 0, run.text
    # lpm puts its filter on every root handler (here pytest's) and on the last-resort stderr handler
    assert [r.getMessage() for r in caplog.records if r.name == "some.library"] == ["retrying with token ***"]
    assert logging.lastResort is not None and logging.lastResort.filters
    assert_clean(run)
