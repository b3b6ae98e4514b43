"""Bad input of every kind, through every ``lpm`` command: one clear line, the right exit code, nothing half-written.

The standard: exit 2 for a usage error (bad flag, bad argument, bad input file,
bad config), exit 1 for a refusal (the registry answered garbage or could not
be reached, a file could not be written); never 0, never 3 ("internal error"
is a bug here), never a traceback. In text mode stderr is exactly one line
starting ``Error:`` (a ``Hint:`` line may follow); in ``--json`` mode stdout is
one JSON envelope ``{success: false, target: "npm", error, error_code}`` and
nothing else. A failed write leaves no temporary file and no truncated output.

Decisions recorded here (each is asserted below):

- ``lpm check``/``lpm quality`` refuse a broken package.json up front (exit 2),
  instead of every policy erroring on the ``package`` fixture. ``check --list``
  still lists: listing reads no package.
- ``lpm check --remote`` against an unusable registry still prints its report
  (the local policies' results are worth having) and exits 1, with the cause on
  ONE ``Error:`` line on stderr (``error``/``error_code: registry`` in JSON).
- An output path whose folder is missing or is a file is a usage error (exit 2),
  found before any work (before the download for ``stage download -o``); a
  write that fails on the way (disk full, a directory in the tarball's place)
  is a storage refusal (exit 1).
- ``stage download -o`` never overwrites: an existing path, even ``/dev/full``,
  is refused with exit 1. Reports (``--junitxml``...) are written *into* an
  existing device such as ``/dev/null`` or ``/dev/stdout``, never renamed over
  it.
- A stage id is trimmed and lower-cased before validation, so ``ID\\n`` is
  accepted; anything that is not a UUID is exit 2 and nothing is sent.
- Retries still happen on 5xx and dropped connections (``no_retry_wait`` only
  removes the sleeps).
- ``check``, ``quality`` and ``stage publish`` pack before any policy runs, so
  an unpackable project is one line: exit 2 for bad input (``"files"`` not an
  array, ``workspace:`` outside a workspace), exit 1 for npm's refusal
  (``"private": true``).
- A policy that meets bad input (a broken ``.secrets.baseline``: a
  ``UsageError``) makes ``check``/``stage publish`` exit 2 with that one cause;
  the policy report may still be printed above it.
- A token no HTTP header can carry (control or non-ASCII characters) is a usage
  error before any request, from any source.
- A staged or published "tarball" that holds no files (an HTML page) is a
  registry error, never an empty package to diff or approve.
- ``lpm quality`` below its minimum is a gate report, not bad input: it may
  print one ``Error:`` line per gate message (not tested here).
- ``--provenance-file`` with a file that is not a Sigstore bundle exits 1 after
  the policies ran: errors.py files an invalid supplied bundle under
  ``ProvenanceError`` (a refusal), so it is left as designed.
"""

from __future__ import annotations

import json
import os
import stat
import tarfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest

from releasekit.testing.faults import GARBAGE_KINDS, Answer, FaultRegistry, garbage, json_answer
from tests.lpm_runner import Run

from .conftest import FAKE_TOKEN, STAGE_ID

# -- the shared assertion -------------------------------------------------------


def assert_one_error(
    run: Run, code: int, *, contains: tuple[str, ...] = (), report_on_stdout: bool = False
) -> str:
    """``run`` failed with ``code`` and said why in exactly one line; answers that line (or the JSON error)."""
    assert run.code == code, run.text
    assert "Traceback" not in run.out + run.err, run.text
    assert "internal error" not in run.out + run.err, run.text
    if "--json" in run.args:
        doc = json.loads(run.out)  # the whole of stdout is one JSON document
        assert doc["success"] is False and doc["target"] == "npm", run.text
        message = doc["error"]
        assert isinstance(message, str) and message and "\n" not in message, run.text
        assert isinstance(doc["error_code"], str) and doc["error_code"], run.text
        assert not [line for line in run.err.splitlines() if line.startswith("Error:")], run.text
    else:
        lines = [line for line in run.err.splitlines() if line.strip()]
        assert len(lines) in (1, 2), run.text
        assert lines[0].startswith("Error: "), run.text
        if len(lines) == 2:
            assert lines[1].startswith("Hint: "), run.text
        if not report_on_stdout:
            assert run.out == "", run.text
        message = lines[0]
    for fragment in contains:
        assert fragment in message, f"{fragment!r} not in {message!r}\n{run.text}"
    return message


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def write_manifest(project: Path, content: bytes | dict) -> None:
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    (project / "package.json").write_bytes(data)


def tgz(files: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, BytesIO(data))
    return buffer.getvalue()


def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fsync fails with ENOSPC: the write reached the page cache but not the disk."""
    import errno

    def fsync(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


# -- malformed package.json -----------------------------------------------------

MANIFESTS = {
    "invalid-json": (b'{"name": "demo", "version": ', "invalid JSON"),
    "a-list": (b'["demo", "1.0.0"]', "must be a JSON object"),
    "a-string": (b'"demo"', "must be a JSON object"),
    "missing-name": ({"version": "1.0.0"}, '"name" is missing'),
    "missing-version": ({"name": "demo"}, '"version" is missing'),
    "bad-version": ({"name": "demo", "version": "1.0"}, 'invalid "version"'),
    "version-a-number": ({"name": "demo", "version": 1}, '"version" is missing'),
    "bad-name": ({"name": "Demo Package", "version": "1.0.0"}, 'invalid "name"'),
    "non-utf8": (b'{"name": "demo\xff\xfe", "version": "1.0.0"}', "not UTF-8"),
    "empty": (b"", "invalid JSON"),
}
MANIFEST_COMMANDS = {
    "pack": ("pack",),
    "pack-dry-run": ("pack", "--dry-run"),
    "pack-json": ("pack", "--json"),
    "check": ("check",),
    "check-json": ("check", "--json"),
    "quality": ("quality",),
    "quality-json": ("quality", "--json"),
    "publish-dry-run": ("stage", "publish", "--dry-run"),
    "publish-json": ("stage", "publish", "--dry-run", "--json"),
}


@pytest.mark.parametrize("command", MANIFEST_COMMANDS.values(), ids=MANIFEST_COMMANDS.keys())
@pytest.mark.parametrize("case", MANIFESTS.values(), ids=MANIFESTS.keys())
def test_malformed_package_json(project: Path, lpm: Callable[..., Run], case, command) -> None:
    content, reason = case
    write_manifest(project, content)
    before = listing(project)
    run = lpm(*command)
    assert_one_error(run, 2, contains=("package.json", reason))
    assert listing(project) == before  # no tarball, no temp file


@pytest.mark.parametrize(
    "command",
    [("check",), ("check", "--json"), ("quality",), ("pack", "--dry-run"), ("stage", "publish", "--dry-run")],
)
@pytest.mark.parametrize(
    ("extra", "code", "reason"),
    [
        ({"files": "dist"}, 2, '"files" must be an array of strings'),
        ({"dependencies": {"a": "workspace:*"}}, 2, "needs a workspace"),
        ({"private": True}, 1, "private"),
    ],
    ids=["files-a-string", "workspace-outside-a-workspace", "private"],
)
def test_unpackable_project(project: Path, lpm: Callable[..., Run], command, extra, code, reason) -> None:
    """The package cannot be packed: one line (2 for bad input, 1 for npm's refusal), before any policy runs."""
    write_manifest(project, {"name": "demo-bad-input", "version": "1.0.0", **extra})
    assert_one_error(lpm(*command), code, contains=(reason,))


@pytest.mark.parametrize("command", [("check",), ("check", "--remote"), ("stage", "publish", "--dry-run")])
def test_bad_publish_config_registry(project: Path, lpm: Callable[..., Run], command) -> None:
    write_manifest(
        project, {"name": "demo-bad-input", "version": "1.0.0", "publishConfig": {"registry": "ftp://x/"}}
    )
    assert_one_error(lpm(*command), 2, contains=("publishConfig.registry", "http(s) URL"))


def test_malformed_package_json_stops_a_real_publish_before_the_registry(
    project: Path, lpm: Callable[..., Run], fault_registry: FaultRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    write_manifest(project, b"{")
    run = lpm("stage", "publish", "-y", "--npm-registry", fault_registry.url)
    assert_one_error(run, 2, contains=("package.json", "invalid JSON"))
    assert fault_registry.seen == []


def test_check_list_still_lists_with_a_broken_package_json(project: Path, lpm: Callable[..., Run]) -> None:
    write_manifest(project, b"{")
    run = lpm("check", "--list")
    assert run.code == 0, run.text
    assert "collected" in run.out


@pytest.mark.parametrize("command", [("check",), ("quality",)])
@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (b"this is not a tarball", "not an npm tarball"),
        (b"\x1f\x8b\x08\x00garbage-after-the-gzip-magic", "not valid gzip"),
        (tgz({"package.json": b"[1, 2]"}), "not a JSON object"),
        (tgz({"package.json": b'{"name": '}), "not valid JSON"),
        (tgz({"index.js": b"1"}), "no package/package.json"),
    ],
    ids=["not-gzip", "corrupt-gzip", "manifest-a-list", "manifest-invalid-json", "no-manifest"],
)
def test_malformed_tarball(project: Path, lpm: Callable[..., Run], command, blob, reason) -> None:
    target = project / "broken.tgz"
    target.write_bytes(blob)
    assert_one_error(lpm(*command, str(target)), 2, contains=("broken.tgz", reason))


# -- bad flags, missing arguments, bad values ------------------------------------

COMMANDS = {
    "lpm": (),
    "check": ("check",),
    "pack": ("pack",),
    "quality": ("quality",),
    "stage": ("stage",),
    "publish": ("stage", "publish"),
    "list": ("stage", "list"),
    "view": ("stage", "view", STAGE_ID),
    "download": ("stage", "download", STAGE_ID),
    "approve": ("stage", "approve", STAGE_ID),
    "reject": ("stage", "reject", STAGE_ID),
    "diff": ("stage", "diff", STAGE_ID),
    "login": ("login", "--npm"),
    "logout": ("logout", "--npm"),
}


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_unknown_flag(project: Path, lpm: Callable[..., Run], command, json_flag) -> None:
    run = lpm(*command, "--no-such-flag", *json_flag)
    assert_one_error(run, 2, contains=("No such option", "--no-such-flag"))


@pytest.mark.parametrize("command", ["view", "download", "approve", "reject", "diff"])
@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_missing_stage_id(project: Path, lpm: Callable[..., Run], command, json_flag) -> None:
    assert_one_error(lpm("stage", command, *json_flag), 2, contains=("Missing argument", "STAGE_ID"))


def test_unknown_commands(project: Path, lpm: Callable[..., Run]) -> None:
    assert_one_error(lpm("publish"), 2, contains=("No such command",))
    assert_one_error(lpm("stage", "promote", STAGE_ID), 2, contains=("No such command",))


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--min-score"),
        ("check", "-k"),
        ("check", "--junitxml"),
        ("quality", "--min-score"),
        ("pack", "--pack-destination"),
        ("stage", "publish", "--tag"),
        ("stage", "list", "--npm-registry"),
        ("stage", "download", STAGE_ID, "-o"),
        ("stage", "approve", STAGE_ID, "--otp"),
        ("stage", "diff", STAGE_ID, "--against"),
        ("login", "--npm", "--npm-registry"),
    ],
    ids=lambda a: " ".join(a),
)
def test_option_missing_its_value(project: Path, lpm: Callable[..., Run], args) -> None:
    assert_one_error(lpm(*args), 2, contains=("requires an argument",))


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("check", "--min-score", "101"), "--min-score"),
        (("quality", "--min-score", "many"), "--min-score"),
        (("check", "-k", "readme and ("), "bad -k expression"),
        (("check", "--report", "junit"), "NAME=VALUE"),
        (("check", "--report", "pdf=out.pdf"), "unknown report format"),
        (("check", "--tag", "next"), "add --remote"),
        (("check", "--remote", "--tag", ""), "invalid dist-tag"),
        (("check", "--remote", "--tag", "two words"), "invalid dist-tag"),
        (("check", "--remote", "--npm-registry", "ftp://example.com"), "http(s) URL"),
        (("check", "no-such-folder"), "no such folder or tarball"),
        (("check", "package.json"), "not a project folder or a .tgz"),
        (("quality", "no-such-folder"), "no such folder or tarball"),
        (("pack", "no-such-folder"), "no such directory"),
        (("pack", "package.json"), "package.json"),
        (("stage", "publish", "--access", "secret"), "--access"),
        (("stage", "publish", "--dry-run", "--tag", ""), "invalid dist-tag"),
        (("stage", "publish", "--dry-run", "--tag", "a/b"), "invalid dist-tag"),
        (("stage", "publish", "--wait", "--timeout", "soon"), "invalid duration"),
        (("stage", "publish", "--timeout", "5m"), "--timeout goes with --wait"),
        (("stage", "publish", "--provenance", "--no-provenance", "--dry-run"), "provenance"),
        (("stage", "publish", "--provenance-file", "missing.sigstore"), "does not exist"),
        (("stage", "list", "Not A Name"), "invalid package name"),
        (("stage", "list", "demo@1.0.0"), "without @version"),
        (("stage", "list", "--npm-registry", "not a url"), "http(s) URL"),
        (
            ("stage", "list", "--npm-registry", "https://user:pw@registry.example/"),
            "must not carry credentials",
        ),
        (("stage", "list", "--registry", "https://lpm.dev/"), "--npm-registry"),
        (("--registry", "https://lpm.dev/", "stage", "list"), "--npm-registry"),
        (("stage", "download", STAGE_ID, "-o", ""), "-o is empty"),
        (("stage", "diff", STAGE_ID, "--against", " "), "--against is empty"),
        (("stage", "approve", STAGE_ID, "--otp", " "), "--otp is empty"),
        (("stage", "reject", STAGE_ID, "--otp", ""), "--otp is empty"),
        (("login",), "pass --npm"),
        (("logout",), "pass --npm"),
        (("login", "--npm"), "no token given"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_bad_values(project: Path, lpm: Callable[..., Run], args, reason) -> None:
    assert_one_error(lpm(*args), 2, contains=(reason,))
    assert_one_error(lpm(*args, "--json"), 2, contains=(reason,))


def test_publish_needs_yes_without_a_terminal(
    project: Path, lpm: Callable[..., Run], fault_registry: FaultRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    packument = {
        "name": "demo-bad-input",
        "dist-tags": {"latest": "0.9.0"},
        "versions": {"0.9.0": {"name": "demo-bad-input", "version": "0.9.0"}},
    }
    fault_registry.handler = lambda seen: json_answer(
        {"items": [], "total": 0, "page": 0, "perPage": 100}
        if seen.path.startswith("/-/stage")
        else packument
    )
    run = lpm("stage", "publish", "--npm-registry", fault_registry.url)
    assert run.code == 2, run.text
    assert run.err.strip().splitlines()[-1].startswith("Error: not staging demo-bad-input@1.0.0"), run.text
    assert not [s for s in fault_registry.seen if s.method != "GET"]  # nothing was uploaded


# -- bad stage ids -----------------------------------------------------------------

BAD_IDS = {
    "empty": "",
    "blank": "   ",
    "not-a-uuid": "not-a-uuid",
    "short": STAGE_ID[:-1],
    "traversal": "../../-/whoami",
    "query": STAGE_ID + "?x=1",
    "two": f"{STAGE_ID} {STAGE_ID}",
}


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
@pytest.mark.parametrize("command", ["view", "download", "approve", "reject", "diff"])
@pytest.mark.parametrize("stage_id", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_bad_stage_id_sends_nothing(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    stage_id,
    command,
    json_flag,
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    run = lpm("stage", command, stage_id, "--npm-registry", fault_registry.url, *json_flag)
    assert_one_error(run, 2, contains=("stage id must be a UUID",))
    assert fault_registry.seen == []
    assert listing(project) == ["README.md", "index.js", "package.json"]


def test_stage_id_is_trimmed_and_lower_cased(
    project: Path, lpm: Callable[..., Run], fault_registry: FaultRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    fault_registry.handler = lambda seen: json_answer({"error": "no such stage"}, 404)
    run = lpm("stage", "view", f" {STAGE_ID.upper()}\n", "--npm-registry", fault_registry.url)
    assert_one_error(run, 1, contains=("404",))
    assert [s.path for s in fault_registry.seen] == [f"/-/stage/{STAGE_ID}"]


# -- a bad releasekit.yaml ----------------------------------------------------------

CONFIGS = {
    "invalid-yaml": ("quality:\n  min_score: [\n", 3, "invalid YAML"),
    "tab-indent": ("quality:\n\tmin_score: 5\n", 2, "invalid YAML"),
    "wrong-type": ("quality:\n  min_score: high\n", 2, "quality.min_score: 'high' is not of type 'integer'"),
    "out-of-range": ("\nquality:\n  min_score: 300\n", 3, "quality.min_score: 300"),
    "section-not-a-mapping": ("stage:\n  tag: next\nquality: 5\n", 3, "quality: 5 is not of type 'object'"),
    "unknown-key": ("quality:\n  min_score: 50\n  colour: red\n", 3, "quality.colour: unknown key 'colour'"),
    "unknown-section": ("quality:\n  min_score: 1\nflavour: sweet\n", 3, "flavour: unknown key 'flavour'"),
    "top-level-list": ("- quality\n- stage\n", 1, "top level must be a mapping"),
}
CONFIG_COMMANDS = {
    "check": ("check",),
    "check-json": ("check", "--json"),
    "check-list": ("check", "--list"),
    "pack": ("pack", "--dry-run"),
    "quality": ("quality",),
    "publish": ("stage", "publish", "--dry-run"),
    "publish-json": ("stage", "publish", "--dry-run", "--json"),
    "list": ("stage", "list"),
    "view": ("stage", "view", STAGE_ID),
    "login": ("login", "--npm"),
}


@pytest.mark.parametrize("command", CONFIG_COMMANDS.values(), ids=CONFIG_COMMANDS.keys())
@pytest.mark.parametrize("case", CONFIGS.values(), ids=CONFIGS.keys())
def test_bad_config_names_file_line_and_reason(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    case,
    command,
) -> None:
    text, line, reason = case
    (project / "releasekit.yaml").write_text(text)
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    extra = ("--npm-registry", fault_registry.url) if command[0] in ("stage", "login") else ()
    run = lpm(*command, *extra, stdin=FAKE_TOKEN)
    assert_one_error(run, 2, contains=(f"{project / 'releasekit.yaml'}:{line}: ", reason))
    assert fault_registry.seen == []


@pytest.mark.parametrize("command", [("check",), ("pack", "--dry-run"), ("stage", "publish", "--dry-run")])
def test_unreadable_config(project: Path, lpm: Callable[..., Run], command) -> None:
    config = project / "releasekit.yaml"
    config.write_bytes(b"quality:\n  min_score: \xff\xfe\n")
    assert_one_error(lpm(*command), 2, contains=(str(config), "not UTF-8"))
    config.unlink()
    config.mkdir()  # a folder where the file should be is a mistake, not "no config"
    assert_one_error(lpm(*command), 2, contains=(str(config), "not a regular file"))


@pytest.mark.parametrize(
    "command",
    [
        ("check",),
        ("check", "--json"),
        ("check", "--update-baseline"),
        ("stage", "publish", "--dry-run"),
        ("stage", "publish", "--dry-run", "--json"),
    ],
    ids=["check", "check-json", "update-baseline", "publish", "publish-json"],
)
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a detect-secrets baseline"),
        (b'{"results": {"a.js": 7}}', "expected a list"),
    ],
    ids=["invalid-json", "a-list", "bad-results"],
)
def test_bad_secrets_baseline(project: Path, lpm: Callable[..., Run], command, content, reason) -> None:
    """A broken ``.secrets.baseline`` is a bad input file: exit 2 on one line (the report may still print)."""
    baseline = project / ".secrets.baseline"
    baseline.write_bytes(content)
    assert_one_error(lpm(*command), 2, contains=(str(baseline), reason), report_on_stdout=True)
    assert baseline.read_bytes() == content  # --update-baseline did not overwrite what it could not read


# -- a registry answering garbage ----------------------------------------------------

REGISTRY_COMMANDS = {
    "list": ("stage", "list"),
    "list-package": ("stage", "list", "demo-bad-input"),
    "view": ("stage", "view", STAGE_ID),
    "download": ("stage", "download", STAGE_ID, "-o", "downloads"),
    "approve": ("stage", "approve", STAGE_ID, "--otp", "123456", "-y"),
    "approve-skip-checks": ("stage", "approve", STAGE_ID, "--otp", "123456", "--skip-checks"),
    "reject": ("stage", "reject", STAGE_ID, "--otp", "123456"),
    "diff": ("stage", "diff", STAGE_ID),
    "login": ("login", "--npm"),
}


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
@pytest.mark.parametrize("command", REGISTRY_COMMANDS.values(), ids=REGISTRY_COMMANDS.keys())
@pytest.mark.parametrize("kind", [*GARBAGE_KINDS, "closed-port"])
def test_registry_garbage(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    closed_url: str,
    monkeypatch: pytest.MonkeyPatch,
    kind,
    command,
    json_flag,
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    (project / "downloads").mkdir()
    url = closed_url if kind == "closed-port" else fault_registry.url
    if kind != "closed-port":
        answer = garbage(kind)
        fault_registry.handler = lambda seen: answer
    run = lpm(*command, "--npm-registry", url, *json_flag, stdin=FAKE_TOKEN)
    message = assert_one_error(run, 1)
    expected = {
        "html": "malformed JSON",
        "truncated-json": "malformed JSON",
        "wrong-shape": "unexpected",
        "http-500": "500",
        "cut-body": "could not reach",
        "closed-port": "could not reach",
    }[kind]
    assert expected in message, run.text
    assert listing(project / "downloads") == []
    assert not [
        s for s in fault_registry.seen if s.method in ("POST", "DELETE", "PUT")
    ]  # no write after garbage
    if kind == "http-500":
        assert len(fault_registry.seen) >= 2  # retried, then given up


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
@pytest.mark.parametrize("kind", [*GARBAGE_KINDS, "closed-port"])
def test_check_remote_against_a_garbage_registry(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    closed_url: str,
    monkeypatch: pytest.MonkeyPatch,
    kind,
    json_flag,
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    url = closed_url if kind == "closed-port" else fault_registry.url
    if kind != "closed-port":
        answer = garbage(kind)
        fault_registry.handler = lambda seen: answer
    run = lpm("check", "--remote", "--npm-registry", url, *json_flag)
    message = assert_one_error(run, 1, contains=("the registry rules could not run",), report_on_stdout=True)
    assert "metadata of demo-bad-input" in message or "stage list" in message
    if json_flag:
        doc = run.json()
        assert doc["error_code"] == "registry" and doc["gate_passed"] is False
        assert any(r["outcome"] == "error" for r in doc["results"])  # the report is still there
    else:
        assert "policy_version_not_published" in run.out  # the report is still there


def test_check_remote_with_a_bad_registry_url_in_npmrc(project: Path, lpm: Callable[..., Run]) -> None:
    (project / ".npmrc").write_text("registry=https://bob:hunter2-password@registry.example/\n")
    run = lpm("check", "--remote")
    assert_one_error(run, 2, contains=(".npmrc registry", "must not carry credentials"))
    assert "hunter2" not in run.out + run.err


def test_publish_against_a_garbage_registry_names_the_cause(
    project: Path, lpm: Callable[..., Run], fault_registry: FaultRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    fault_registry.handler = lambda seen: garbage("html")
    run = lpm("stage", "publish", "-y", "--npm-registry", fault_registry.url)
    assert_one_error(
        run,
        1,
        contains=("the registry rules could not run", "malformed JSON", "nothing was staged"),
        report_on_stdout=True,
    )
    assert not [s for s in fault_registry.seen if s.method != "GET"]


def _stage_entry(shasum: str | None) -> dict:
    return {
        "id": STAGE_ID,
        "packageName": "demo-bad-input",
        "version": "1.0.0",
        "tag": "latest",
        "shasum": shasum,
    }


@pytest.mark.parametrize(
    ("tarball", "shasum", "reason"),
    [
        (b"<html>Not Found</html>", None, "not a readable .tgz"),
        (tgz({"package.json": b'{"name": "demo-bad-input"}'})[:40], None, "not a readable .tgz"),
        (tgz({"index.js": b"1"}), None, "has no package.json"),
        (tgz({"package.json": b"{nope"}), None, "not valid JSON"),
        (
            tgz({"package.json": b'{"name": "demo-bad-input", "version": "1.0.0"}'}),
            "0" * 40,
            "does not match",
        ),
    ],
    ids=["html", "truncated-gzip", "no-manifest", "bad-manifest", "sha-mismatch"],
)
@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_download_of_a_garbage_tarball_writes_nothing(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    tarball,
    shasum,
    reason,
    json_flag,
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)

    def handler(seen):
        if seen.path.endswith("/tarball"):
            return Answer(200, tarball, "application/octet-stream")
        return json_answer(_stage_entry(shasum))

    fault_registry.handler = handler
    out = project / "downloads"
    out.mkdir()
    run = lpm("stage", "download", STAGE_ID, "-o", str(out), "--npm-registry", fault_registry.url, *json_flag)
    assert_one_error(run, 1, contains=(reason,))
    assert listing(out) == []


# -- disk errors ----------------------------------------------------------------------


def _good_tarball_registry(registry: FaultRegistry) -> None:
    blob = tgz({"package.json": b'{"name": "demo-bad-input", "version": "1.0.0"}'})

    def handler(seen):
        if seen.path.endswith("/tarball"):
            return Answer(200, blob, "application/octet-stream")
        if seen.path.startswith("/-/whoami"):
            return json_answer({"username": "bob"})
        return json_answer(_stage_entry(None))

    registry.handler = handler


def test_pack_destination_that_is_not_a_folder(
    project: Path, lpm: Callable[..., Run], tmp_path: Path
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert_one_error(
        lpm("pack", "--pack-destination", str(a_file / "sub")), 2, contains=("--pack-destination",)
    )
    assert_one_error(lpm("pack", "--pack-destination", str(a_file)), 2, contains=("--pack-destination",))
    assert_one_error(
        lpm("pack", "--pack-destination", str(tmp_path / "missing"), "--json"),
        2,
        contains=("--pack-destination",),
    )


def test_pack_onto_a_folder_of_the_tarballs_name(
    project: Path, lpm: Callable[..., Run], tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    (dest / "demo-bad-input-1.0.0.tgz").mkdir(parents=True)
    assert_one_error(lpm("pack", "--pack-destination", str(dest)), 1, contains=("cannot write the tarball",))
    assert listing(dest) == ["demo-bad-input-1.0.0.tgz"]  # no temp file left beside it


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_pack_on_a_full_disk_keeps_the_old_tarball(
    project: Path, lpm: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, json_flag
) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    old = dest / "demo-bad-input-1.0.0.tgz"
    old.write_bytes(b"the previous tarball")
    disk_full(monkeypatch)
    run = lpm("pack", "--pack-destination", str(dest), *json_flag)
    assert_one_error(run, 1, contains=("No space left on device",))
    assert listing(dest) == [old.name] and old.read_bytes() == b"the previous tarball"


def test_download_output_folder_missing_or_a_file_is_refused_before_downloading(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    _good_tarball_registry(fault_registry)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for target, problem in (
        (a_file / "x.tgz", "is not a directory"),
        (tmp_path / "missing" / "x.tgz", "does not exist"),
    ):
        for json_flag in ((), ("--json",)):
            run = lpm(
                "stage",
                "download",
                STAGE_ID,
                "-o",
                str(target),
                "--npm-registry",
                fault_registry.url,
                *json_flag,
            )
            assert_one_error(run, 2, contains=(problem,))
    assert fault_registry.seen == []
    assert a_file.read_text() == "x"


def test_download_never_overwrites_even_a_device(
    project: Path, lpm: Callable[..., Run], fault_registry: FaultRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not Path("/dev/full").is_char_device():
        pytest.skip("no /dev/full here")
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    _good_tarball_registry(fault_registry)
    run = lpm("stage", "download", STAGE_ID, "-o", "/dev/full", "--npm-registry", fault_registry.url)
    assert_one_error(run, 1, contains=("already exists",))
    assert Path("/dev/full").is_char_device()


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_download_on_a_full_disk_leaves_nothing(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    json_flag,
) -> None:
    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    _good_tarball_registry(fault_registry)
    out = project / "downloads"
    out.mkdir()
    disk_full(monkeypatch)
    run = lpm("stage", "download", STAGE_ID, "-o", str(out), "--npm-registry", fault_registry.url, *json_flag)
    assert_one_error(run, 1, contains=("No space left on device",))
    assert listing(out) == []


@pytest.mark.parametrize("option", ["--junitxml", "--sarif", "--report=json"])
def test_report_path_in_a_missing_or_file_folder(
    project: Path, lpm: Callable[..., Run], tmp_path: Path, option
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")

    def args(target: Path) -> tuple[str, ...]:
        return (f"{option}={target}",) if option.startswith("--report") else (option, str(target))

    assert_one_error(lpm("check", *args(a_file / "r.out")), 2, contains=("is not a folder",))
    assert_one_error(
        lpm("check", *args(tmp_path / "missing" / "r.out"), "--json"), 2, contains=("does not exist",)
    )
    assert a_file.read_text() == "x"


@pytest.mark.parametrize("option", ["--junitxml", "--sarif"])
def test_report_to_dev_full_fails_and_leaves_the_device(
    project: Path, lpm: Callable[..., Run], option
) -> None:
    if not Path("/dev/full").is_char_device():
        pytest.skip("no /dev/full here")
    assert_one_error(lpm("check", option, "/dev/full"), 1, contains=("/dev/full", "No space left on device"))
    assert Path("/dev/full").is_char_device()


def test_report_to_dev_null_is_written_into_not_replaced(project: Path, lpm: Callable[..., Run]) -> None:
    run = lpm("check", "--junitxml", os.devnull)
    assert run.code == 0, run.text
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_report_on_a_full_disk_keeps_the_old_report(
    project: Path, lpm: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, json_flag
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    old = reports / "junit.xml"
    old.write_text("<old/>")
    disk_full(monkeypatch)
    run = lpm("check", "--junitxml", str(old), *json_flag)
    assert_one_error(run, 1, contains=("No space left on device",))
    assert listing(reports) == ["junit.xml"] and old.read_text() == "<old/>"


def test_update_baseline_on_a_full_disk_keeps_the_old_baseline(
    project: Path, lpm: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = project / ".secrets.baseline"
    assert lpm("check", "--update-baseline").code == 0
    before = baseline.read_bytes()
    (project / "index.js").write_text('const key = "AKIAIOSFODNN7EXAMPLE";\n')
    disk_full(monkeypatch)
    run = lpm("check", "--update-baseline")
    assert_one_error(run, 1, contains=("cannot write secrets baseline", "No space left on device"))
    assert baseline.read_bytes() == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".")) == [".secrets.baseline"]


def test_login_token_file_under_a_file(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _good_tarball_registry(fault_registry)
    a_file = tmp_path / "config-is-a-file"
    a_file.write_text("x")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(a_file))
    for json_flag in ((), ("--json",)):
        run = lpm("login", "--npm", "--npm-registry", fault_registry.url, *json_flag, stdin=FAKE_TOKEN + "\n")
        assert_one_error(run, 1, contains=("cannot write", "Not a directory"))
    assert a_file.read_text() == "x"


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_login_on_a_full_disk_keeps_the_old_token_file(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    json_flag,
) -> None:
    from releasekit.registry import token_store

    _good_tarball_registry(fault_registry)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    first = lpm("login", "--npm", "--npm-registry", fault_registry.url, stdin="first-token-value\n")
    assert first.code == 0, first.text
    path = token_store.token_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    disk_full(monkeypatch)
    run = lpm(
        "login", "--npm", "--npm-registry", fault_registry.url, *json_flag, stdin="second-token-value\n"
    )
    assert_one_error(run, 1, contains=("No space left on device",))
    assert path.read_bytes() == before and listing(path.parent) == [path.name, path.name + ".lock"]
    assert "second-token-value" not in run.out + run.err


# -- the same, as real processes -----------------------------------------------------------


def test_as_processes(
    project: Path, lpm_process: Callable[..., Run], closed_url: str, tmp_path: Path
) -> None:
    """A few of the above through ``python -m releasekit``: exit status, stderr and stdout as a shell sees them."""
    env = {"NPM_TOKEN": FAKE_TOKEN}
    write_manifest(project, b'{"name": "demo-bad-input", "version": "1.0"}')
    assert_one_error(lpm_process("pack", cwd=project), 2, contains=('invalid "version"',))
    assert_one_error(lpm_process("check", "--json", cwd=project), 2, contains=('invalid "version"',))
    write_manifest(project, {"name": "demo-bad-input", "version": "1.0.0"})
    (project / "releasekit.yaml").write_text("quality:\n  minscore: 5\n")
    assert_one_error(
        lpm_process("quality", cwd=project), 2, contains=("releasekit.yaml:2: quality.minscore",)
    )
    (project / "releasekit.yaml").unlink()
    assert_one_error(
        lpm_process("stage", "view", "nope", "--json", cwd=project, env=env), 2, contains=("UUID",)
    )
    assert_one_error(
        lpm_process("stage", "list", "--npm-registry", closed_url, cwd=project, env=env),
        1,
        contains=("could not reach",),
    )
    assert_one_error(lpm_process("stage", "publish", "--bogus", cwd=project), 2, contains=("No such option",))
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert_one_error(
        lpm_process("check", "--sarif", str(a_file / "r.sarif"), cwd=project),
        2,
        contains=("is not a folder",),
    )
    assert listing(project) == ["README.md", "index.js", "package.json"]


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
@pytest.mark.parametrize(
    "command", [("diff",), ("approve", "--otp", "123456", "-y")], ids=["diff", "approve"]
)
@pytest.mark.parametrize(
    "kind", ["html", "truncated-json", "wrong-shape", "http-500", "published-tarball", "staged-tarball"]
)
def test_review_with_a_garbage_packument(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    kind,
    command,
    json_flag,
) -> None:
    """One side is garbage: the packument, the published tarball, or the staged tarball (with a matching sha1).

    A blob with no files in it is an error, never an empty package to diff against or to approve.
    """
    import hashlib

    monkeypatch.setenv("NPM_TOKEN", FAKE_TOKEN)
    staged = tgz({"package.json": b'{"name": "demo-bad-input", "version": "1.1.0"}'})
    published = b"<html>not a tarball</html>"
    if kind == "staged-tarball":
        staged = published
    packument = {
        "name": "demo-bad-input",
        "dist-tags": {"latest": "1.0.0"},
        "versions": {
            "1.0.0": {
                "name": "demo-bad-input",
                "version": "1.0.0",
                "dist": {
                    "tarball": fault_registry.url + "demo-bad-input/-/demo-bad-input-1.0.0.tgz",
                    "shasum": hashlib.sha1(published).hexdigest(),
                },
            }
        },
    }

    def handler(seen):
        if seen.path.startswith(f"/-/stage/{STAGE_ID}/tarball"):
            return Answer(200, staged, "application/octet-stream")
        if seen.path.startswith("/-/stage/"):
            return json_answer({**_stage_entry(hashlib.sha1(staged).hexdigest()), "version": "1.1.0"})
        if seen.path.endswith(".tgz"):
            return Answer(200, published, "application/octet-stream")
        return json_answer(packument) if kind == "published-tarball" else garbage(kind)

    fault_registry.handler = handler
    run = lpm("stage", *command[:1], STAGE_ID, *command[1:], "--npm-registry", fault_registry.url, *json_flag)
    message = assert_one_error(run, 1)
    if kind.endswith("-tarball"):
        assert "is not a tarball" in message
    assert not [s for s in fault_registry.seen if s.method != "GET"]  # nothing approved


@pytest.mark.parametrize(
    "token", ["tok\x00en-value", "tökén-value", "tok\x1ben-value"], ids=["nul", "non-ascii", "escape"]
)
def test_token_that_cannot_be_sent(
    project: Path,
    lpm: Callable[..., Run],
    fault_registry: FaultRegistry,
    monkeypatch: pytest.MonkeyPatch,
    token,
) -> None:
    """A token no HTTP header can carry is a usage error before any request, and is never echoed (not even escaped)."""
    _good_tarball_registry(fault_registry)
    runs = [lpm("login", "--npm", "--npm-registry", fault_registry.url, stdin=token + "\n")]
    if "\x00" not in token:  # an environment variable cannot hold NUL
        monkeypatch.setenv("NPM_TOKEN", token)
        runs += [
            lpm("stage", "list", "--npm-registry", fault_registry.url, *fmt) for fmt in ((), ("--json",))
        ]
        runs.append(lpm("stage", "publish", "-y", "--npm-registry", fault_registry.url))
    for run in runs:
        assert_one_error(
            run,
            2,
            contains=("an HTTP header cannot carry",),
            report_on_stdout=run.args[0] == "stage" and run.args[1] == "publish",
        )
        for shown in (token, repr(token)[1:-1], "en-value"):
            assert shown not in run.out + run.err
    assert fault_registry.seen == []
