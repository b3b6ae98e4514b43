"""Bad input of every kind: one clear line, the right exit code and error_code, nothing sent."""

from __future__ import annotations

import json
import uuid

import pytest

SUBCOMMANDS = {
    "publish": ["publish", "--dry-run"],
    "list": ["list"],
    "view": ["view", str(uuid.uuid4())],
    "download": ["download", str(uuid.uuid4())],
    "approve": ["approve", str(uuid.uuid4())],
    "reject": ["reject", str(uuid.uuid4())],
}


@pytest.mark.parametrize("command", ["view", "download", "approve", "reject"])
@pytest.mark.parametrize(
    "bad", ["not-a-uuid", "12345", "3f2c1a9e-0b7d-4c55-9a1e-5d2f6b8c0e1", "../../etc/passwd"]
)
def test_bad_stage_id_is_a_usage_error_before_any_request(lpm, closed_registry, command, bad) -> None:
    run = lpm("stage", command, bad, "--npm-registry", closed_registry)
    assert run.code == 2, run.text
    assert "stage id must be a UUID" in run.err
    assert "could not reach" not in run.text  # refused before the network was touched
    assert len(run.err.strip().splitlines()) == 1
    assert run.out == ""


def test_bad_stage_id_json_envelope(lpm, closed_registry) -> None:
    run = lpm("stage", "view", "nope", "--json", "--npm-registry", closed_registry)
    assert run.code == 2
    doc = run.json()  # stdout is exactly one JSON document
    assert doc["success"] is False and doc["target"] == "npm"
    assert doc["error_code"] == "usage"
    assert "UUID" in doc["error"]


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
@pytest.mark.parametrize("where", ["before", "after"])
def test_lpm_registry_flag_is_rejected_by_every_stage_command(lpm, closed_registry, name, where) -> None:
    args = SUBCOMMANDS[name]
    if where == "before":
        argv = ["--registry", "https://lpm.dev/", "stage", *args]
    else:
        argv = ["stage", *args, "--registry", "https://lpm.dev/"]
    run = lpm(*argv)
    assert run.code == 2, run.text
    assert "--npm-registry" in run.err
    assert "lpm.dev" in run.err


def test_lpm_registry_rejection_in_json(lpm) -> None:
    run = lpm("--registry", "https://lpm.dev/", "--json", "stage", "list")
    assert run.code == 2
    doc = run.json()
    assert doc["error_code"] == "usage" and "--npm-registry" in doc["error"]


@pytest.mark.parametrize(
    "flags",
    [
        ["--provenance", "--no-provenance"],
        ["--no-provenance", "--provenance"],
        ["--provenance", "--provenance-file", "bundle.json"],
    ],
)
def test_exclusive_provenance_flags(lpm, example_project, monkeypatch, flags) -> None:
    project = example_project()
    (project / "bundle.json").write_text("{}")
    monkeypatch.chdir(project)
    run = lpm("stage", "publish", "--dry-run", *flags)
    assert run.code == 2, run.text
    assert "cannot be used together" in run.err


@pytest.mark.parametrize("score", ["101", "-1", "abc", "50.5"])
def test_bad_min_score(lpm, example_project, monkeypatch, score) -> None:
    monkeypatch.chdir(example_project())
    run = lpm("stage", "publish", "--dry-run", "--min-score", score)
    assert run.code == 2, run.text
    assert "--min-score" in run.err


def test_bad_access_and_bad_registry_url(lpm, example_project, monkeypatch) -> None:
    monkeypatch.chdir(example_project())
    run = lpm("stage", "publish", "--dry-run", "--access", "secret")
    assert run.code == 2 and "--access" in run.err
    run = lpm("stage", "list", "--npm-registry", "ftp://example.invalid/")
    assert run.code == 2 and "--npm-registry" in run.err
    run = lpm("stage", "list", "--npm-registry", "https://user:pw@example.invalid/")
    assert run.code == 2 and "credentials" in run.err and "pw@" not in run.err


def test_no_package_json_is_a_usage_error(lpm, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = lpm("stage", "publish", "--dry-run")
    assert run.code == 2
    assert "package.json" in run.err


def test_restricted_unscoped_is_refused_before_anything(lpm, example_project, monkeypatch) -> None:
    monkeypatch.chdir(example_project())
    run = lpm("stage", "publish", "--dry-run", "--access", "restricted", "--json")
    assert run.code == 2
    assert run.json()["error_code"] == "usage"
    assert "unscoped" in run.json()["error"]


def test_private_package_is_refused(lpm, example_project, monkeypatch) -> None:
    monkeypatch.chdir(example_project(private=True))
    run = lpm("stage", "publish", "--dry-run")
    assert run.code != 0 and run.out == ""
    assert "private" in run.err and len(run.err.strip().splitlines()) == 1


def test_list_refuses_a_version_spec(lpm, closed_registry) -> None:
    run = lpm("stage", "list", "demo@1.0.0", "--npm-registry", closed_registry)
    assert run.code == 2 and "version" in run.err


def test_login_needs_npm_flag(lpm) -> None:
    run = lpm("login")
    assert run.code == 2 and "--npm" in run.err
    run = lpm("logout", "--json")
    assert run.code == 2 and json.loads(run.out)["error_code"] == "usage"


@pytest.mark.registry
def test_no_auth_lists_the_sources_tried(lpm, verdaccio, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = lpm("stage", "list", "--npm-registry", verdaccio.url, "--json")
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["error_code"] == "auth_required"
    assert "NPM_TOKEN" in doc["error"]


@pytest.mark.registry
def test_unknown_stage_id_is_not_found(lpm, verdaccio, registry_user, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    run = lpm("stage", "view", str(uuid.uuid4()), "--npm-registry", verdaccio.url)
    assert run.code == 1
    assert "404" in run.err and "no such staged package version" in run.err
    run = lpm("stage", "view", str(uuid.uuid4()), "--npm-registry", verdaccio.url, "--json")
    assert run.json()["error_code"] == "not_found"


def test_provenance_on_a_restricted_package_is_refused_before_packing(
    lpm, example_project, monkeypatch
) -> None:
    monkeypatch.chdir(example_project("@acme/prov-demo"))  # scoped: restricted unless told otherwise
    run = lpm("stage", "publish", "--dry-run", "--provenance")
    assert run.code == 2, run.text
    assert "--access public" in run.err
    assert run.out == ""  # refused before packing or running a policy


def test_provenance_dry_run_reports_what_would_be_attached(lpm, example_project, monkeypatch) -> None:
    monkeypatch.chdir(example_project("@acme/prov-demo"))
    run = lpm("stage", "publish", "--dry-run", "--provenance", "--access", "public", "--json")
    assert run.code == 0, run.text
    provenance = run.json()["data"]["provenance"]
    assert provenance["attached"] is False and provenance["dryRun"] is True
    assert provenance["name"] == "@acme/prov-demo-1.0.0.sigstore"
    run = lpm("stage", "publish", "--dry-run", "--no-provenance", "--json")
    assert run.code == 0 and run.json()["data"]["provenance"] is None
