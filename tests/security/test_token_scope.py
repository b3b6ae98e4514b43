"""Where each credential may go, as npm scopes them.

- ``.npmrc`` and token-store tokens go only to the registry they are keyed to (nerf dart);
- ``NPM_TOKEN`` and OIDC go to the registry named on the command line or by the
  user's npm config; one named only by the project's files needs consent
  (a prompt, or ``--yes`` with a warning naming the host);
- no token goes over plain http except to loopback.

The CLI cases run against the real Verdaccio; the resolution rules are checked
without any network (a request would fail the test).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from releasekit.errors import AuthRequired, UsageError
from releasekit.registry import token_store
from releasekit.registry.auth import resolve_credentials
from releasekit.registry.client import RegistryClient
from releasekit.testing.verdaccio import Verdaccio
from tests.lpm_runner import Run

ENV_TOKEN = "npm_env_token_that_must_stay_home_000000000"


def locked_npmrc(path: Path, text: str) -> Path:
    path.write_text(text)
    os.chmod(path, 0o600)
    return path


def no_requests(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing may be sent, but {request.method} {request.url} was")


# -- resolution rules, no network ------------------------------------------------------------------


def test_env_token_goes_to_a_registry_chosen_by_the_user() -> None:
    env = {"NPM_TOKEN": ENV_TOKEN}
    assert resolve_credentials("https://registry.example.test/", env=env).token == ENV_TOKEN


@pytest.mark.parametrize("answer", [None, False])
def test_env_token_is_withheld_from_a_project_named_registry_without_consent(answer: bool | None) -> None:
    asked: list[str] = []

    def consent(question: str) -> bool:
        asked.append(question)
        return bool(answer)

    with pytest.raises(AuthRequired) as caught:
        resolve_credentials(
            "https://evil.example.test/",
            env={"NPM_TOKEN": ENV_TOKEN},
            registry_from_project="package.json publishConfig.registry",
            consent=None if answer is None else consent,
            warn=None,
        )
    message = str(caught.value)
    assert (
        "NPM_TOKEN (not sent to evil.example.test, which only package.json publishConfig.registry names"
        in message
    )
    assert ENV_TOKEN not in message
    assert len(asked) == (0 if answer is None else 1)


def test_consent_is_asked_once_naming_the_host_and_the_file() -> None:
    asked: list[str] = []
    found = resolve_credentials(
        "https://evil.example.test:8443/npm/",
        env={"NPM_TOKEN": ENV_TOKEN},
        registry_from_project="/work/project/.npmrc",
        consent=lambda q: asked.append(q) or True,
    )
    assert found.token == ENV_TOKEN
    assert asked == [
        "NPM_TOKEN would be sent to evil.example.test:8443, a registry named only by this project's "
        "files (/work/project/.npmrc)"
    ]


def test_oidc_follows_the_same_consent_rule() -> None:
    env = {"NPM_ID_TOKEN": "ci-identity-token-1234567890"}
    with pytest.raises(AuthRequired) as caught:
        resolve_credentials(
            "https://evil.example.test/",
            package_name="demo",
            allow_oidc=True,
            env=env,
            registry_from_project="releasekit.yaml stage.registry",
            consent=lambda q: False,
            transport=httpx.MockTransport(no_requests),
            warn=None,
        )
    assert "OIDC trusted publishing (not sent to evil.example.test" in str(caught.value)


def test_a_keyed_token_goes_only_to_its_registry(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    token_store.save_token("https://a.example.test/", "stored-token-for-a-000000", env=env)
    locked_npmrc(tmp_path / ".npmrc", "//b.example.test/:_authToken=npmrc-token-for-b-0000000\n")

    assert resolve_credentials("https://a.example.test/", env=env).token == "stored-token-for-a-000000"
    assert (
        resolve_credentials("https://b.example.test/", env=env, warn=None).token
        == "npmrc-token-for-b-0000000"
    )
    for elsewhere in (
        "https://c.example.test/",
        "https://a.example.test.evil.test/",
        "https://a.example.test:444/",
        "https://b.example.test.evil.test/",
    ):
        with pytest.raises(AuthRequired):
            resolve_credentials(elsewhere, env=env, warn=None)
    # Keyed tokens need no consent: the key already names the registry they belong to.
    found = resolve_credentials(
        "https://b.example.test/",
        env=env,
        warn=None,
        registry_from_project="package.json publishConfig.registry",
    )
    assert found.token == "npmrc-token-for-b-0000000"


@pytest.mark.parametrize(
    "url", ["http://registry.example.test/", "http://10.0.0.5:4873/", "http://[fe80::1]/"]
)
def test_no_token_goes_over_plain_http_except_to_loopback(tmp_path: Path, url: str) -> None:
    env = {"NPM_TOKEN": ENV_TOKEN, "HOME": str(tmp_path)}
    with pytest.raises(AuthRequired, match="over plain http"):
        resolve_credentials(url, env=env, warn=None)
    with pytest.raises(UsageError, match="over plain http"):
        RegistryClient(url, ENV_TOKEN, transport=httpx.MockTransport(no_requests))
    with pytest.raises(UsageError, match="over plain http"):
        RegistryClient(url, transport=httpx.MockTransport(no_requests)).exchange_oidc_token(
            "demo", "id-token-value"
        )
    RegistryClient(url).close()  # reading anonymously is fine


@pytest.mark.parametrize(
    "url", ["http://localhost:4873/", "http://127.0.0.1:4873/", "http://127.1.2.3/", "http://[::1]:4873/"]
)
def test_loopback_may_use_plain_http(url: str) -> None:
    assert resolve_credentials(url, env={"NPM_TOKEN": ENV_TOKEN}).token == ENV_TOKEN
    RegistryClient(url, ENV_TOKEN).close()


# -- the CLI against the real registry ---------------------------------------------------------------


@pytest.fixture
def project(
    verdaccio: Verdaccio,
    registry_user: Any,
    make_project: Callable[..., Path],
    unique_name: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A published package (1.0.0) whose project names Verdaccio only in its own files; NPM_TOKEN set."""
    name = unique_name("scoped-token")
    root = make_project(
        {"name": name, "version": "1.0.0", "main": "index.js"}, files={"index.js": "module.exports = 1\n"}
    )
    verdaccio.publish(root, registry_user.token)
    manifest = json.loads((root / "package.json").read_text())
    manifest.update(version="1.1.0", publishConfig={"registry": verdaccio.url})
    (root / "package.json").write_text(json.dumps(manifest))
    (root / ".npmrc").write_text(f"registry={verdaccio.url}\n")
    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(root)
    return root


def host_of(url: str) -> str:
    return httpx.URL(url).netloc.decode()


@pytest.mark.registry
def test_publish_to_a_registry_only_publish_config_names_needs_consent(
    project: Path, verdaccio: Verdaccio, lpm: Callable[..., Run]
) -> None:
    declined = lpm("stage", "publish", "--json", tty=True, stdin="y\nn\n")
    assert declined.code == 1, declined.text
    assert declined.json()["error_code"] == "auth_required"
    assert (
        f"not sent to {host_of(verdaccio.url)}, which only package.json publishConfig.registry"
        in declined.text
    )

    run = lpm("stage", "publish", "-y")
    assert run.code == 0, run.text
    assert (
        f"Warning: NPM_TOKEN would be sent to {host_of(verdaccio.url)}, a registry named only by this "
        "project's files (package.json publishConfig.registry); sending it (--yes)."
    ) in run.err
    assert "Staged " in run.out


@pytest.mark.registry
def test_stage_list_with_a_project_npmrc_registry(
    project: Path,
    verdaccio: Verdaccio,
    lpm: Callable[..., Run],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = lpm("stage", "list", "--json")
    assert refused.code == 1 and refused.json()["error_code"] == "auth_required", refused.text
    assert f"which only {project / '.npmrc'} names" in refused.json()["error"]

    assert lpm("stage", "list", "--yes").code == 0
    # Named on the command line, or by the user's own npm config: no question.
    run = lpm("stage", "list", "--npm-registry", verdaccio.url)
    assert run.code == 0 and "Warning" not in run.err, run.text
    (project / ".npmrc").unlink()
    user_npmrc = tmp_path / "user-npmrc"
    user_npmrc.write_text(f"registry={verdaccio.url}\n")
    monkeypatch.setenv("NPM_CONFIG_USERCONFIG", str(user_npmrc))
    run = lpm("stage", "list")
    assert run.code == 0 and "Warning" not in run.err, run.text


def test_every_credential_in_an_npmrc_is_registered_for_redaction(tmp_path: Path) -> None:
    import base64

    from releasekit.redaction import redact
    from releasekit.registry import npmrc

    auth = base64.b64encode(b"alice:basic-auth-password").decode()
    password = base64.b64encode(b"plain-password-value").decode()
    path = locked_npmrc(
        tmp_path / ".npmrc",
        "\n".join(
            [
                "//other.example.test/:_authToken=token-of-another-registry",
                f"//basic.example.test/:_auth={auth}",
                f"//pw.example.test/:_password={password}",
                "proxy=http://proxyuser:proxy-secret-9@proxy.example.test:3128/",
            ]
        )
        + "\n",
    )
    npmrc.read(path)
    text = redact("token-of-another-registry basic-auth-password plain-password-value proxy-secret-9 " + auth)
    assert text == "*** *** *** *** ***"


@pytest.mark.registry
def test_login_to_a_registry_only_the_project_names_warns_naming_the_host(
    project: Path, verdaccio: Verdaccio, registry_user: Any, lpm: Callable[..., Run]
) -> None:
    run = lpm("login", "--npm", stdin=registry_user.token + "\n")
    assert run.code == 0, run.text
    assert (
        f"Warning: logging in to {host_of(verdaccio.url)}, a registry named only by this project's files "
        f"({project / '.npmrc'})"
    ) in run.err
    run = lpm("login", "--npm", "--npm-registry", verdaccio.url, stdin=registry_user.token + "\n")
    assert run.code == 0 and "Warning" not in run.err, run.text


def test_a_project_npmrc_cannot_smuggle_an_env_token_to_the_registry_it_names(tmp_path: Path) -> None:
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    npmrc_path = locked_npmrc(
        project_dir / ".npmrc",
        "registry=https://evil.example.test/\n//evil.example.test/:_authToken=${CI_NPM_TOKEN}\n",
    )
    env = {"CI_NPM_TOKEN": ENV_TOKEN, "HOME": str(tmp_path / "home")}
    where = {"project_dir": project_dir, "env": env, "warn": None, "registry_from_project": str(npmrc_path)}

    with pytest.raises(AuthRequired) as caught:
        resolve_credentials("https://evil.example.test/", **where)  # type: ignore[arg-type]
    assert "its ${...} token not sent to evil.example.test" in str(caught.value)
    asked: list[str] = []
    found = resolve_credentials(
        "https://evil.example.test/", consent=lambda q: asked.append(q) or True, **where
    )  # type: ignore[arg-type]
    assert found.token == ENV_TOKEN and found.source == str(npmrc_path)
    assert asked and asked[0].startswith(f"the environment token {npmrc_path} puts in its _authToken")
    # A literal token keyed to the registry is the project's own: no question.
    locked_npmrc(npmrc_path, "//evil.example.test/:_authToken=literal-project-token-000\n")
    assert resolve_credentials("https://evil.example.test/", **where).token == "literal-project-token-000"  # type: ignore[arg-type]
