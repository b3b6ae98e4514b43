"""The in-toto statement that provenance signs, built from the CI job's environment.

GitHub Actions gets npm's layout: an in-toto Statement v1 with an SLSA
provenance v1 predicate whose build type is the SLSA GitHub Actions workflow
type. GitLab CI gets the same Statement/predicate versions with a GitLab build
type (see docs/provenance.md for exactly which ``CI_*`` variables are signed).
The subject is the package's purl and the sha512 of the final tarball.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, Literal

from releasekit.errors import ProvenanceError
from releasekit.package.model import PackedPackage

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_V1 = "https://in-toto.io/Statement/v1"
STATEMENT_V01 = "https://in-toto.io/Statement/v0.1"
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
SLSA_PROVENANCE_V02 = "https://slsa.dev/provenance/v0.2"

GITHUB_BUILD_TYPE = "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"
GITHUB_BUILDER_PREFIX = "https://github.com/actions/runner"
# npm's GitLab build type; the predicate layout around it is SLSA v1 here.
GITLAB_BUILD_TYPE = "https://github.com/npm/cli/gitlab/v0alpha1"

CI = Literal["github", "gitlab"]

_GITHUB_REQUIRED = (
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_WORKFLOW_REF",
    "GITHUB_REF",
    "GITHUB_SHA",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
)
_GITLAB_REQUIRED = ("CI_PROJECT_URL", "CI_COMMIT_SHA", "CI_JOB_URL", "CI_JOB_NAME", "CI_RUNNER_ID")
# What identifies the GitLab build; nothing personal (no user e-mail or name) and nothing secret.
GITLAB_SIGNED_VARIABLES = (
    "CI_PROJECT_PATH",
    "CI_PROJECT_ID",
    "CI_PROJECT_VISIBILITY",
    "CI_CONFIG_PATH",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_REF_PROTECTED",
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_TAG",
    "CI_PIPELINE_ID",
    "CI_PIPELINE_SOURCE",
    "CI_PIPELINE_URL",
    "CI_JOB_ID",
    "CI_JOB_NAME",
    "CI_JOB_STAGE",
    "CI_RUNNER_ID",
    "CI_RUNNER_DESCRIPTION",
    "CI_SERVER_URL",
)


def purl(name: str, version: str) -> str:
    """``pkg:npm/<name>@<version>``; a scope's ``@`` is escaped as ``%40``."""
    escaped = "%40" + name[1:] if name.startswith("@") else name
    return f"pkg:npm/{escaped}@{version}"


def subject_for(package: PackedPackage) -> dict[str, Any]:
    return {"name": purl(package.name, package.version), "digest": {"sha512": package.sha512_hex}}


def detect_ci(env: Mapping[str, str] | None = None) -> CI | None:
    env = os.environ if env is None else env
    if env.get("GITHUB_ACTIONS") == "true":
        return "github"
    if env.get("GITLAB_CI"):
        return "gitlab"
    return None


def _require(env: Mapping[str, str], names: tuple[str, ...], where: str) -> None:
    missing = [n for n in names if not env.get(n)]
    if missing:
        raise ProvenanceError(f"cannot describe the {where} build: {', '.join(missing)} not set")


def github_statement(subject: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    _require(env, _GITHUB_REQUIRED, "GitHub Actions")
    server, repository = env["GITHUB_SERVER_URL"], env["GITHUB_REPOSITORY"]
    # GITHUB_WORKFLOW_REF is "<owner>/<repo>/<path>@<ref>".
    relative = env["GITHUB_WORKFLOW_REF"].removeprefix(repository + "/")
    path, _, ref = relative.partition("@")
    return {
        "_type": STATEMENT_V1,
        "subject": [dict(subject)],
        "predicateType": SLSA_PROVENANCE_V1,
        "predicate": {
            "buildDefinition": {
                "buildType": GITHUB_BUILD_TYPE,
                "externalParameters": {
                    "workflow": {"ref": ref, "repository": f"{server}/{repository}", "path": path},
                },
                "internalParameters": {
                    "github": {
                        "event_name": env.get("GITHUB_EVENT_NAME", ""),
                        "repository_id": env.get("GITHUB_REPOSITORY_ID", ""),
                        "repository_owner_id": env.get("GITHUB_REPOSITORY_OWNER_ID", ""),
                    },
                },
                "resolvedDependencies": [
                    {
                        "uri": f"git+{server}/{repository}@{env['GITHUB_REF']}",
                        "digest": {"gitCommit": env["GITHUB_SHA"]},
                    }
                ],
            },
            "runDetails": {
                "builder": {
                    "id": f"{GITHUB_BUILDER_PREFIX}/{env.get('RUNNER_ENVIRONMENT') or 'github-hosted'}"
                },
                "metadata": {
                    "invocationId": (
                        f"{server}/{repository}/actions/runs/{env['GITHUB_RUN_ID']}"
                        f"/attempts/{env['GITHUB_RUN_ATTEMPT']}"
                    ),
                },
            },
        },
    }


def gitlab_statement(subject: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    _require(env, _GITLAB_REQUIRED, "GitLab CI")
    project = env["CI_PROJECT_URL"]
    return {
        "_type": STATEMENT_V1,
        "subject": [dict(subject)],
        "predicateType": SLSA_PROVENANCE_V1,
        "predicate": {
            "buildDefinition": {
                "buildType": GITLAB_BUILD_TYPE,
                "externalParameters": {
                    "source": {
                        "repository": project,
                        "ref": env.get("CI_COMMIT_REF_NAME", ""),
                        "configPath": env.get("CI_CONFIG_PATH", ".gitlab-ci.yml"),
                        "job": env["CI_JOB_NAME"],
                    },
                },
                "internalParameters": {
                    "gitlab": {name: env[name] for name in GITLAB_SIGNED_VARIABLES if name in env}
                },
                "resolvedDependencies": [
                    {"uri": f"git+{project}", "digest": {"gitCommit": env["CI_COMMIT_SHA"]}},
                ],
            },
            "runDetails": {
                "builder": {"id": f"{project}/-/runners/{env['CI_RUNNER_ID']}"},
                "metadata": {"invocationId": env["CI_JOB_URL"]},
            },
        },
    }


def build_statement(package: PackedPackage, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The statement for ``package`` in the current CI job; :class:`ProvenanceError` outside CI."""
    env = os.environ if env is None else env
    ci = detect_ci(env)
    subject = subject_for(package)
    if ci == "github":
        return github_statement(subject, env)
    if ci == "gitlab":
        return gitlab_statement(subject, env)
    raise ProvenanceError(
        "provenance can only be generated in GitHub Actions or GitLab CI; no CI identity here",
        hint="in CI, grant `id-token: write` (GitHub) or declare id_tokens SIGSTORE_ID_TOKEN with aud: sigstore "
        "(GitLab); outside CI, stage without --provenance or attach a bundle with --provenance-file",
    )


def encode(statement: Mapping[str, Any]) -> bytes:
    """The exact bytes that get signed (compact JSON, key order kept)."""
    return json.dumps(statement, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
