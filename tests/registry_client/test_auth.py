"""Auth resolution order, OIDC exchange, the stored login token and .npmrc reading."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
import pytest

from releasekit.errors import AuthRequired, StorageError
from releasekit.registry import npmrc, token_store
from releasekit.registry.auth import Credentials, resolve_credentials, resolve_publish_credentials
from tests.registry_client.conftest import FAKE_REGISTRY

EXCHANGE_PATH = "/-/npm/v1/oidc/token/exchange/package/@rk%2fdemo"
GITHUB_URL = "https://pipelines.actions.example.test/idtoken?api-version=2.0"


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


def write_npmrc(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def user_npmrc() -> Path:
    return Path(os.environ["HOME"]) / ".npmrc"


class OidcDouble:
    """GitHub's id-token endpoint and the registry's exchange endpoint."""

    def __init__(self, exchange_status: int = 201) -> None:
        self.exchange_status = exchange_status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "pipelines.actions.example.test":
            return httpx.Response(200, json={"value": "gh-id-token-eyJhbGciOi"})
        if request.url.raw_path == EXCHANGE_PATH.encode() and request.method == "POST":
            if self.exchange_status != 201:
                return httpx.Response(
                    self.exchange_status, json={"message": "no trusted publisher for @rk/demo"}
                )
            return httpx.Response(
                201,
                json={
                    "token_type": "Bearer",
                    "token": "npm_oidcShortLivedToken000000000000000",
                    "created": "2026-01-01T00:00:00Z",
                    "expires": "2026-01-01T01:00:00Z",
                },
            )
        return httpx.Response(404, json={"error": "unexpected"})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


# -- OIDC ------------------------------------------------------------------------------------------


def test_oidc_from_npm_id_token_comes_first(monkeypatch: pytest.MonkeyPatch, warnings: list[str]) -> None:
    monkeypatch.setenv("NPM_ID_TOKEN", "gitlab-id-token-abcdef")
    monkeypatch.setenv("NPM_TOKEN", "npm-token-from-env")
    double = OidcDouble()
    found = resolve_publish_credentials(
        FAKE_REGISTRY, "@rk/demo", transport=double.transport, warn=warnings.append
    )
    assert (found.kind, found.token) == ("oidc", "npm_oidcShortLivedToken000000000000000")
    assert found.source == "OIDC trusted publishing (NPM_ID_TOKEN)"
    (exchange,) = double.requests
    assert exchange.url.raw_path == EXCHANGE_PATH.encode()
    assert exchange.headers["authorization"] == "Bearer gitlab-id-token-abcdef"
    assert warnings == []


def test_oidc_from_github_actions_asks_for_the_registry_audience(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", GITHUB_URL)
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token-xyz")
    double = OidcDouble()
    found = resolve_credentials(
        FAKE_REGISTRY, package_name="@rk/demo", allow_oidc=True, transport=double.transport
    )
    assert found.kind == "oidc" and found.source == "OIDC trusted publishing (GitHub Actions)"
    github, exchange = double.requests
    assert github.method == "GET"
    assert dict(github.url.params) == {"api-version": "2.0", "audience": "npm:registry.example.test"}
    assert github.headers["authorization"] == "Bearer gh-request-token-xyz"
    assert exchange.headers["authorization"] == "Bearer gh-id-token-eyJhbGciOi"


def test_npmjs_audience() -> None:
    from releasekit.registry.auth import oidc_audience

    assert oidc_audience("https://registry.npmjs.org") == "npm:registry.npmjs.org"


def test_failed_exchange_falls_back_to_a_token_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, warnings: list[str]
) -> None:
    monkeypatch.setenv("NPM_ID_TOKEN", "gitlab-id-token-abcdef")
    monkeypatch.setenv("NPM_TOKEN", "npm-token-from-env")
    found = resolve_publish_credentials(
        FAKE_REGISTRY, "@rk/demo", transport=OidcDouble(404).transport, warn=warnings.append
    )
    assert (found.kind, found.source) == ("token", "NPM_TOKEN")
    assert len(warnings) == 1 and "no trusted publisher for @rk/demo" in warnings[0]
    assert "gitlab-id-token-abcdef" not in warnings[0]


def test_oidc_is_for_publish_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NPM_ID_TOKEN", "gitlab-id-token-abcdef")
    monkeypatch.setenv("NPM_TOKEN", "npm-token-from-env")

    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError("token auth must not call the registry")

    found = resolve_credentials(
        FAKE_REGISTRY, package_name="@rk/demo", transport=httpx.MockTransport(no_network)
    )
    assert (found.kind, found.source) == ("token", "NPM_TOKEN")


# -- the order of token sources --------------------------------------------------------------------


def test_npm_token_beats_the_stored_login_and_npmrc(monkeypatch: pytest.MonkeyPatch, project: Path) -> None:
    token_store.save_token(FAKE_REGISTRY, "stored-login-token")
    write_npmrc(project / ".npmrc", "//registry.example.test/:_authToken=project-npmrc-token\n")
    monkeypatch.setenv("NPM_TOKEN", "npm-token-from-env")
    assert resolve_credentials(FAKE_REGISTRY, project_dir=project).token == "npm-token-from-env"


def test_the_stored_login_beats_npmrc(project: Path) -> None:
    path = token_store.save_token(FAKE_REGISTRY, "stored-login-token")
    write_npmrc(project / ".npmrc", "//registry.example.test/:_authToken=project-npmrc-token\n")
    found = resolve_credentials(FAKE_REGISTRY, project_dir=project)
    assert (found.token, found.kind) == ("stored-login-token", "token")
    assert str(path) in found.source


def test_project_npmrc_beats_the_users(project: Path) -> None:
    write_npmrc(user_npmrc(), "//registry.example.test/:_authToken=user-npmrc-token\n")
    write_npmrc(project / ".npmrc", "//registry.example.test/:_authToken=project-npmrc-token\n")
    found = resolve_credentials(FAKE_REGISTRY, project_dir=project)
    assert (found.token, found.source) == ("project-npmrc-token", str(project / ".npmrc"))


def test_user_npmrc_and_the_npm_key_walk(project: Path) -> None:
    # A token keyed by host applies to a registry below a path on that host, as in npm.
    write_npmrc(user_npmrc(), "; comment\n//npm.example.test/:_authToken=host-level-token\n")
    found = resolve_credentials("https://npm.example.test/api/npm/", project_dir=project)
    assert (found.token, found.source) == ("host-level-token", str(user_npmrc()))
    # A token for another port is not ours.
    write_npmrc(user_npmrc(), "//npm.example.test:8443/:_authToken=other-port-token\n")
    with pytest.raises(AuthRequired):
        resolve_credentials("https://npm.example.test/", project_dir=project)


def test_env_expansion_in_npmrc(monkeypatch: pytest.MonkeyPatch, project: Path, warnings: list[str]) -> None:
    write_npmrc(project / ".npmrc", "//registry.example.test/:_authToken=${MY_REGISTRY_TOKEN}\n")
    with pytest.raises(AuthRequired) as caught:
        resolve_credentials(FAKE_REGISTRY, project_dir=project, warn=warnings.append)
    assert "${MY_REGISTRY_TOKEN}, which is not set" in warnings[0]
    assert "MY_REGISTRY_TOKEN" in str(caught.value)
    monkeypatch.setenv("MY_REGISTRY_TOKEN", "expanded-token-value")
    assert resolve_credentials(FAKE_REGISTRY, project_dir=project).token == "expanded-token-value"


def test_group_readable_npmrc_is_refused_with_a_warning(project: Path, warnings: list[str]) -> None:
    write_npmrc(project / ".npmrc", "//registry.example.test/:_authToken=exposed-project-token\n", mode=0o640)
    write_npmrc(user_npmrc(), "//registry.example.test/:_authToken=user-npmrc-token\n")
    found = resolve_credentials(FAKE_REGISTRY, project_dir=project, warn=warnings.append)
    assert found.token == "user-npmrc-token"
    assert len(warnings) == 1
    assert "readable by others (mode 0640)" in warnings[0] and "chmod 600" in warnings[0]
    assert "exposed-project-token" not in warnings[0]

    user_npmrc().chmod(0o644)
    with pytest.raises(AuthRequired) as caught:
        resolve_credentials(FAKE_REGISTRY, project_dir=project, warn=warnings.append)
    assert "refused, mode 0640 (0600 only)" in str(caught.value)
    assert "refused, mode 0644 (0600 only)" in str(caught.value)


def test_no_auth_at_all_lists_every_source_tried(project: Path) -> None:
    with pytest.raises(AuthRequired) as caught:
        resolve_publish_credentials(FAKE_REGISTRY, "@rk/demo", project_dir=project)
    message = str(caught.value)
    for source in ("OIDC trusted publishing", "NPM_TOKEN (not set)", "lpm login --npm", ".npmrc"):
        assert source in message
    assert (
        message.index("OIDC")
        < message.index("NPM_TOKEN")
        < message.index("lpm login")
        < message.index(".npmrc")
    )
    assert "\n" not in message and caught.value.error_code == "auth_required" and caught.value.hint


def test_credentials_never_show_their_token() -> None:
    credentials = Credentials("very-secret-token-1", "token", "NPM_TOKEN")
    assert "very-secret-token-1" not in repr(credentials) + str(credentials)


# -- the token store -------------------------------------------------------------------------------


def test_token_file_is_0600_in_a_0700_dir_under_xdg_config(tmp_path: Path) -> None:
    path = token_store.save_token(FAKE_REGISTRY, "stored-login-token")
    assert path == Path(os.environ["XDG_CONFIG_HOME"]) / "releasekit" / "npm-tokens.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["registries"] == {
        "//registry.example.test/": {"token": "stored-login-token"}
    }
    token_store.save_token("http://127.0.0.1:4873", "local-token")
    assert token_store.load_token(FAKE_REGISTRY) == "stored-login-token"
    assert token_store.load_token("http://127.0.0.1:4873/") == "local-token"
    assert token_store.delete_token(FAKE_REGISTRY) is True
    assert token_store.delete_token(FAKE_REGISTRY) is False
    assert token_store.load_token(FAKE_REGISTRY) is None
    assert token_store.load_token("http://127.0.0.1:4873/") == "local-token"


def test_token_store_falls_back_to_dot_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert token_store.token_path() == Path(os.environ["HOME"]) / ".config" / "releasekit" / "npm-tokens.json"


def test_token_write_is_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    path = token_store.save_token(FAKE_REGISTRY, "first-token-value")
    before = path.read_bytes()

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(StorageError, match="No space left on device"):
        token_store.save_token(FAKE_REGISTRY, "second-token-value")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["npm-tokens.json", "npm-tokens.json.lock"]


def test_a_token_file_readable_by_others_is_ignored(warnings: list[str]) -> None:
    path = token_store.save_token(FAKE_REGISTRY, "stored-login-token")
    path.chmod(0o644)
    assert token_store.load_token(FAKE_REGISTRY, warn=warnings.append) is None
    assert "readable by others" in warnings[0]


def test_malformed_token_is_not_stored() -> None:
    with pytest.raises(StorageError):
        token_store.save_token(FAKE_REGISTRY, "two words")
    assert not token_store.token_path().exists()


# -- .npmrc helpers --------------------------------------------------------------------------------


def test_npmrc_registries_and_provenance(monkeypatch: pytest.MonkeyPatch, project: Path) -> None:
    write_npmrc(user_npmrc(), "registry=https://user.example.test/\nprovenance=false\n", mode=0o644)
    write_npmrc(
        project / ".npmrc",
        '# project settings\n@rk:registry = "https://scoped.example.test/npm/"\nprovenance=true\n[section]\n',
        mode=0o644,
    )
    assert npmrc.registry_for("@rk", project) == "https://scoped.example.test/npm/"
    assert npmrc.registry_for("rk", project) == "https://scoped.example.test/npm/"
    assert npmrc.registry_for("@other", project) == "https://user.example.test/"
    assert npmrc.registry_for(None, project) == "https://user.example.test/"
    assert npmrc.provenance(project) is True
    assert npmrc.provenance(None) is False
    monkeypatch.setenv("npm_config_registry", "https://env.example.test/")
    assert npmrc.registry_for(None, project) == "https://env.example.test/"
    assert npmrc.default_registry(None, None) == "https://env.example.test/"


def test_npmrc_defaults_and_expansion_rules(tmp_path: Path) -> None:
    assert npmrc.default_registry(None, tmp_path) == "https://registry.npmjs.org/"
    assert npmrc.provenance(tmp_path) is None
    parsed = npmrc.parse("a=${A}\nb=${MISSING?}\nc=${MISSING}\nd=\\${A}\n${A}:k=v\n", env={"A": "x"})
    assert parsed.values == {"a": "x", "b": "", "d": "${A}", "x:k": "v"}
    assert parsed.unresolved == {"c": "MISSING"}


def test_token_keys_walk_up_the_path() -> None:
    assert npmrc.token_keys("https://h.example.test/a/b") == [
        "//h.example.test/a/b/:_authToken",
        "//h.example.test/a/:_authToken",
        "//h.example.test/:_authToken",
    ]
