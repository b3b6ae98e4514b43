"""A private, offline Sigstore: Fulcio CA, CT log and Rekor log answered in-process.

sigstore-python talks to Fulcio and Rekor with ``requests``; :meth:`FakeSigstore.serve`
answers those calls with ``responses`` callbacks that do the real cryptography:
Fulcio issues a leaf for the CSR's key carrying an embedded precertificate SCT
signed by the CT key, and Rekor stores a canonical ``dsse`` entry in a small
RFC 6962 Merkle tree, answering with a signed entry timestamp and an inclusion
proof under a signed checkpoint. :attr:`FakeSigstore.trust_config_json` is a
``ClientTrustConfig`` for :meth:`sigstore.models.ClientTrustConfig.from_json`
naming these services, so sigstore's own ``Signer`` and ``Verifier`` run
unchanged against them. Nothing here touches the network.

:meth:`FakeSigstore.github_actions` makes the environment look like a GitHub
Actions job with ``id-token: write`` and patches the ``id`` package's urllib3
request function so that ambient detection receives a token minted by
:meth:`FakeSigstore.identity_token`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import struct
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITLAB_ISSUER = "https://gitlab.com"

_OID_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
_OID_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
_OID_EMBEDDED_SCT = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _spki_der(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _key_id(key: ec.EllipticCurvePublicKey) -> bytes:
    """RFC 6962 key id: SHA-256 of the DER SubjectPublicKeyInfo."""
    return hashlib.sha256(_spki_der(key)).digest()


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _der(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(content)) + content


def _u16_prefixed(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


# -- RFC 6962 Merkle tree ---------------------------------------------------------


def _leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than ``n``."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def merkle_root(leaf_hashes: list[bytes]) -> bytes:
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = _split(len(leaf_hashes))
    return _node_hash(merkle_root(leaf_hashes[:k]), merkle_root(leaf_hashes[k:]))


def inclusion_path(index: int, leaf_hashes: list[bytes]) -> list[bytes]:
    """Audit path for leaf ``index``, bottom-up, as RFC 6962 section 2.1.1 defines it."""
    if len(leaf_hashes) <= 1:
        return []
    k = _split(len(leaf_hashes))
    if index < k:
        return inclusion_path(index, leaf_hashes[:k]) + [merkle_root(leaf_hashes[k:])]
    return inclusion_path(index - k, leaf_hashes[k:]) + [merkle_root(leaf_hashes[:k])]


# -- the fake services ------------------------------------------------------------


@dataclass
class FakeSigstore:
    """One private Sigstore instance: its keys, its log, and the URLs it answers on."""

    fulcio_url: str = "https://fulcio.releasekit.test"
    rekor_url: str = "https://rekor.releasekit.test"
    oidc_url: str = "https://oauth2.releasekit.test/auth"
    name: str = "releasekit-test"
    prefill: int = 5  # entries already in the log, so indexes and proofs are not trivial
    ca_key: ec.EllipticCurvePrivateKey = field(init=False, repr=False)
    ct_key: ec.EllipticCurvePrivateKey = field(init=False, repr=False)
    rekor_key: ec.EllipticCurvePrivateKey = field(init=False, repr=False)
    ca_cert: x509.Certificate = field(init=False, repr=False)
    entries: list[bytes] = field(init=False, repr=False)
    requests: list[tuple[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.ca_key = ec.generate_private_key(ec.SECP384R1())
        self.ct_key = ec.generate_private_key(ec.SECP256R1())
        self.rekor_key = ec.generate_private_key(ec.SECP256R1())
        self.ca_cert = self._make_ca()
        self.entries = [f"prefilled entry {i} of {self.name}".encode() for i in range(self.prefill)]
        self.requests = []

    # -- trust material -----------------------------------------------------------
    def _make_ca(self) -> x509.Certificate:
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.name),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{self.name} fulcio"),
            ]
        )
        public = self.ca_key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(_EPOCH)
            .not_valid_after(_EPOCH + dt.timedelta(days=365 * 30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.ca_key, hashes.SHA384())
        )

    @property
    def rekor_log_id(self) -> bytes:
        return _key_id(self.rekor_key.public_key())

    def trust_config(self) -> dict[str, Any]:
        """The ``ClientTrustConfig`` document (JSON-ready dict) for this instance."""
        valid_for = {"start": _EPOCH.isoformat().replace("+00:00", "Z")}

        def log(url: str, key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
            public = key.public_key()
            return {
                "baseUrl": url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": _b64(_spki_der(public)),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": valid_for,
                },
                "logId": {"keyId": _b64(_key_id(public))},
            }

        def service(url: str) -> dict[str, Any]:
            return {"url": url, "majorApiVersion": 1, "validFor": valid_for, "operator": self.name}

        return {
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": {
                "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                "tlogs": [log(self.rekor_url, self.rekor_key)],
                "certificateAuthorities": [
                    {
                        "subject": {"organization": self.name, "commonName": f"{self.name} fulcio"},
                        "uri": self.fulcio_url,
                        "certChain": {
                            "certificates": [
                                {"rawBytes": _b64(self.ca_cert.public_bytes(serialization.Encoding.DER))}
                            ]
                        },
                        "validFor": valid_for,
                    }
                ],
                "ctlogs": [log(f"{self.fulcio_url}/ct", self.ct_key)],
                "timestampAuthorities": [],
            },
            "signingConfig": {
                "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
                "caUrls": [service(self.fulcio_url)],
                "oidcUrls": [service(self.oidc_url)],
                "rekorTlogUrls": [service(self.rekor_url)],
                "rekorTlogConfig": {"selector": "ANY"},
                "tsaUrls": [],
                "tsaConfig": {"selector": "ANY"},
            },
        }

    @property
    def trust_config_json(self) -> str:
        return json.dumps(self.trust_config())

    def client_trust_config(self) -> Any:
        """A ``sigstore.models.ClientTrustConfig`` built from :attr:`trust_config_json`."""
        from sigstore.models import ClientTrustConfig

        return ClientTrustConfig.from_json(self.trust_config_json)

    # -- identity tokens ------------------------------------------------------------
    def identity_token(self, claims: Mapping[str, Any] | None = None, *, lifetime: int = 600) -> str:
        """An unsigned JWT (``alg: none``-shaped, never verified by clients) with GitHub claims."""
        now = int(time.time())
        body: dict[str, Any] = {
            "aud": "sigstore",
            "iss": GITHUB_ISSUER,
            "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "job_workflow_ref": "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
            "repository": "octo-org/octo-repo",
            "ref": "refs/heads/main",
        }
        body.update(claims or {})
        header = {"alg": "RS256", "typ": "JWT", "kid": "releasekit-test"}
        return ".".join(
            [
                _b64url(json.dumps(header).encode()),
                _b64url(json.dumps(body).encode()),
                _b64url(b"not-a-real-signature"),
            ]
        )

    @staticmethod
    def san_for(claims: Mapping[str, Any]) -> str:
        """The identity Fulcio would certify for these claims (GitHub, GitLab, else ``email``/``sub``)."""
        if claims.get("iss") == GITHUB_ISSUER and "job_workflow_ref" in claims:
            return f"https://github.com/{claims['job_workflow_ref']}"
        if "ci_config_ref_uri" in claims:
            return f"https://{claims['ci_config_ref_uri']}"
        return str(claims.get("email") or claims["sub"])

    # -- Fulcio ---------------------------------------------------------------------
    def _issue(self, csr: x509.CertificateSigningRequest, claims: Mapping[str, Any]) -> x509.Certificate:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        identity = self.san_for(claims)
        general_name: x509.GeneralName
        if "@" in identity and "://" not in identity:
            general_name = x509.RFC822Name(identity)
        else:
            general_name = x509.UniformResourceIdentifier(identity)
        issuer = str(claims["iss"]).encode()
        public = csr.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(self.ca_cert.subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(seconds=30))
            .not_valid_after(now + dt.timedelta(minutes=10))
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False
            )
            .add_extension(x509.SubjectAlternativeName([general_name]), critical=True)
            .add_extension(x509.UnrecognizedExtension(_OID_ISSUER_V1, issuer), critical=False)
            .add_extension(x509.UnrecognizedExtension(_OID_ISSUER_V2, _der(0x0C, issuer)), critical=False)
        )
        # The SCT covers the certificate as it is without the SCT (RFC 6962 3.2).
        precert = builder.sign(self.ca_key, hashes.SHA384())
        sct_list = self._sct_list(precert.tbs_certificate_bytes)
        return builder.add_extension(
            x509.UnrecognizedExtension(_OID_EMBEDDED_SCT, _der(0x04, sct_list)), critical=False
        ).sign(self.ca_key, hashes.SHA384())

    def _sct_list(self, tbs: bytes) -> bytes:
        timestamp = int(time.time() * 1000)
        issuer_key_hash = _key_id(self.ca_key.public_key())
        signed = (
            struct.pack("!BBQH", 0, 0, timestamp, 1)  # v1, certificate_timestamp, time, precert_entry
            + issuer_key_hash
            + len(tbs).to_bytes(3, "big")
            + tbs
            + _u16_prefixed(b"")  # no CT extensions
        )
        signature = self.ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        sct = (
            struct.pack("!B", 0)
            + _key_id(self.ct_key.public_key())
            + struct.pack("!Q", timestamp)
            + _u16_prefixed(b"")
            + struct.pack("!BB", 4, 3)  # sha256, ecdsa
            + _u16_prefixed(signature)
        )
        return _u16_prefixed(_u16_prefixed(sct))

    def _fulcio_callback(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.requests.append(("fulcio", request.url))
        auth = request.headers.get("Authorization", "")
        try:
            claims = json.loads(base64.urlsafe_b64decode(auth.split()[1].split(".")[1] + "=="))
        except (IndexError, ValueError):
            return 401, {}, json.dumps({"code": 401, "message": "missing or malformed identity token"})
        if claims.get("aud") != "sigstore" or claims.get("exp", 0) < time.time():
            return 401, {}, json.dumps({"code": 401, "message": "identity token rejected"})
        pem = base64.b64decode(json.loads(request.body)["certificateSigningRequest"])
        csr = x509.load_pem_x509_csr(pem)
        if not csr.is_signature_valid:
            return 400, {}, json.dumps({"code": 400, "message": "CSR signature invalid"})
        leaf = self._issue(csr, claims)
        chain = [c.public_bytes(serialization.Encoding.PEM).decode() for c in (leaf, self.ca_cert)]
        body = {"signedCertificateEmbeddedSct": {"chain": {"certificates": chain}}}
        return 201, {"Content-Type": "application/json"}, json.dumps(body)

    # -- Rekor ----------------------------------------------------------------------
    def _rekor_callback(self, request: Any) -> tuple[int, dict[str, str], str]:
        import rfc8785

        self.requests.append(("rekor", request.url))
        proposed = json.loads(request.body)
        if proposed.get("kind") != "dsse":
            return 400, {}, json.dumps({"code": 400, "message": "only dsse entries are accepted here"})
        content = proposed["spec"]["proposedContent"]
        envelope = json.loads(content["envelope"])
        verifier_pem = base64.b64decode(content["verifiers"][0])
        cert = x509.load_pem_x509_certificate(verifier_pem)
        payload = base64.b64decode(envelope["payload"])
        payload_type = envelope["payloadType"]
        pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type.encode(), len(payload), payload)
        signatures = []
        for sig in envelope["signatures"]:
            public = cert.public_key()
            assert isinstance(public, ec.EllipticCurvePublicKey)
            try:
                public.verify(base64.b64decode(sig["sig"]), pae, ec.ECDSA(hashes.SHA256()))
            except Exception:
                return 400, {}, json.dumps({"code": 400, "message": "envelope signature does not verify"})
            signatures.append({"signature": sig["sig"], "verifier": content["verifiers"][0]})
        body = rfc8785.dumps(
            {
                "apiVersion": "0.0.1",
                "kind": "dsse",
                "spec": {
                    "envelopeHash": {
                        "algorithm": "sha256",
                        "value": hashlib.sha256(content["envelope"].encode()).hexdigest(),
                    },
                    "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()},
                    "signatures": signatures,
                },
            }
        )
        index = len(self.entries)
        self.entries.append(body)
        leaves = [_leaf_hash(e) for e in self.entries]
        root = merkle_root(leaves)
        log_id = self.rekor_log_id.hex()
        integrated = int(time.time())
        body_b64 = _b64(body)
        set_payload = rfc8785.dumps(
            {"body": body_b64, "integratedTime": integrated, "logID": log_id, "logIndex": index}
        )
        set_signature = self.rekor_key.sign(set_payload, ec.ECDSA(hashes.SHA256()))
        note = f"{self.name} - {int.from_bytes(self.rekor_log_id[:8], 'big')}\n{len(leaves)}\n{_b64(root)}\n"
        note_sig = self.rekor_key.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
        checkpoint = f"{note}\n\u2014 {self.name} {_b64(self.rekor_log_id[:4] + note_sig)}\n"
        entry = {
            "body": body_b64,
            "integratedTime": integrated,
            "logID": log_id,
            "logIndex": index,
            "verification": {
                "signedEntryTimestamp": _b64(set_signature),
                "inclusionProof": {
                    "logIndex": index,
                    "rootHash": root.hex(),
                    "treeSize": len(leaves),
                    "hashes": [h.hex() for h in inclusion_path(index, leaves)],
                    "checkpoint": checkpoint,
                },
            },
        }
        uuid = _leaf_hash(body).hex()
        return 201, {"Content-Type": "application/json"}, json.dumps({uuid: entry})

    # -- wiring ---------------------------------------------------------------------
    @contextmanager
    def serve(self) -> Iterator[Any]:
        """Answer Fulcio and Rekor calls for the duration of the block (a ``responses.RequestsMock``)."""
        import responses

        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add_callback(
                responses.POST, f"{self.fulcio_url}/api/v2/signingCert", callback=self._fulcio_callback
            )
            mock.add_callback(
                responses.POST, f"{self.rekor_url}/api/v1/log/entries", callback=self._rekor_callback
            )
            yield mock

    def github_env(self, **overrides: str) -> dict[str, str]:
        """The environment variables of a GitHub Actions job with ``id-token: write``."""
        env = {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "octo-org/octo-repo",
            "GITHUB_REPOSITORY_ID": "123456",
            "GITHUB_REPOSITORY_OWNER_ID": "654321",
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
            "GITHUB_WORKFLOW_REF": "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
            "GITHUB_WORKFLOW_SHA": "0123456789abcdef0123456789abcdef01234567",
            "GITHUB_EVENT_NAME": "push",
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1",
            "RUNNER_ENVIRONMENT": "github-hosted",
            "ACTIONS_ID_TOKEN_REQUEST_URL": "https://actions-token.releasekit.test/token?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "actions-request-token-for-tests",
        }
        env.update(overrides)
        return env

    @contextmanager
    def github_actions(
        self, monkeypatch: Any, claims: Mapping[str, Any] | None = None, **env: str
    ) -> Iterator[str]:
        """Look like a GitHub Actions job: set its variables and answer the OIDC token request.

        Yields the identity token the job will receive. ``monkeypatch`` is pytest's fixture.
        """
        import id._internal.oidc.ambient as ambient
        import urllib3

        token = self.identity_token(claims)
        variables = self.github_env(**env)
        for key, value in variables.items():
            monkeypatch.setenv(key, value)
        calls: list[str] = []

        def fake_request(method: str, url: str, *, fields: Any = None, headers: Any = None, **kw: Any) -> Any:
            calls.append(url)
            expected = f"bearer {variables['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}"
            if not url.startswith(variables["ACTIONS_ID_TOKEN_REQUEST_URL"].split("?")[0]) or (
                (headers or {}).get("Authorization") != expected
            ):
                return urllib3.HTTPResponse(
                    body=b'{"message":"unauthorized"}', status=401, preload_content=True
                )
            audience = (fields or {}).get("audience", "")
            value = (
                token if audience == "sigstore" else self.identity_token({**(claims or {}), "aud": audience})
            )
            return urllib3.HTTPResponse(
                body=json.dumps({"value": value}).encode(),
                status=200,
                preload_content=True,
                headers={"Content-Type": "application/json"},
            )

        monkeypatch.setattr(ambient, "_request", fake_request)
        yield token
