"""A planted-secrets corpus, built at run time from fragments and a seeded RNG.

No test secret sits in the repository as a whole token (push protection, and our own
scans of this repo, would rightly complain). Each planted line has a *clean* twin with
the same shape and no secret, so the clean copy of the corpus must produce nothing.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass, field

LOWER_DIGITS = string.ascii_lowercase + string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


@dataclass
class Planted:
    file: str
    line: int
    types: set[str]


@dataclass
class Corpus:
    files: dict[str, bytes] = field(default_factory=dict)
    clean: dict[str, bytes] = field(default_factory=dict)
    planted: list[Planted] = field(default_factory=list)

    @property
    def types(self) -> set[str]:
        return {t for p in self.planted for t in p.types}


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def s(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def digits(self, n: int) -> str:
        return str(self.rng.randint(1, 9)) + self.s(string.digits, n - 1)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def secrets(seed: int = 20261124) -> dict[str, tuple[str, str]]:
    """name -> (secret text as it appears in a line, detector type that must find it)."""
    g = _Gen(seed)
    pk = "PRIVATE" + " KEY"
    jwt = ".".join(
        [
            _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()),
            _b64url(json.dumps({"sub": g.s(LOWER_DIGITS, 12), "iat": 1700000000}).encode()),
            g.s(URLSAFE, 43),
        ]
    )
    return {
        "aws_key_id": ("AK" + "IA" + g.s(string.ascii_uppercase + string.digits, 16), "AWS Access Key"),
        "azure": ("Account" + "Key=" + g.s(B64, 86) + "==", "Azure Storage Account access key"),
        "basic_auth": ("https://deploy:" + g.s(ALNUM, 14) + "@example.com/repo", "Basic Auth Credentials"),
        "discord": ("M" + g.s(ALNUM, 23) + "." + g.s(ALNUM, 6) + "." + g.s(ALNUM, 27), "Discord Bot Token"),
        "github": ("gh" + "p_" + g.s(ALNUM, 36), "GitHub Token"),
        "gitlab": ("gl" + "pat-" + g.s(ALNUM, 20), "GitLab Token"),
        "jwt": ("ey" + jwt[2:], "JSON Web Token"),
        "mailchimp": (g.s(HEX, 32) + "-us" + "12", "Mailchimp Access Key"),
        "openai": ("sk-" + g.s(ALNUM, 20) + "T3Blbk" + "FJ" + g.s(ALNUM, 20), "OpenAI Token"),
        "pypi": ("pypi-" + "AgEIcHlwaS5vcmc" + g.s(URLSAFE, 72), "PyPI Token"),
        "sendgrid": ("S" + "G." + g.s(ALNUM, 22) + "." + g.s(ALNUM, 43), "SendGrid API Key"),
        "slack_bot": (
            "xo" + "xb-" + g.digits(12) + "-" + g.digits(13) + "-" + g.s(LOWER_DIGITS, 24),
            "Slack Token",
        ),
        "slack_user": (
            "xo" + "xp-" + g.digits(12) + "-" + g.digits(12) + "-" + g.digits(13) + "-" + g.s(HEX, 32),
            "Slack Token",
        ),
        "square": ("sq0" + "csp-" + g.s(URLSAFE, 43), "Square OAuth Secret"),
        "stripe_live": ("sk" + "_live_" + g.s(ALNUM, 24), "Stripe Access Key"),
        "stripe_restricted": ("rk" + "_live_" + g.s(ALNUM, 24), "Stripe Access Key"),
        "telegram": (g.digits(9) + ":" + g.s(URLSAFE, 35), "Telegram Bot Token"),
        "twilio": ("S" + "K" + g.s(LOWER_DIGITS, 32), "Twilio API Key"),
        "npm_token": ("np" + "m_" + g.s(ALNUM, 36), "npm Access Token"),
        "github_pat": (
            "github" + "_pat_" + g.s(ALNUM, 22) + "_" + g.s(ALNUM, 59),
            "GitHub Fine-Grained Token",
        ),
        "google": ("AI" + "za" + g.s(URLSAFE, 35), "Google API Key"),
        "rsa_key": ("-----BEGIN RSA " + pk + "-----", "Private Key"),
        "ec_key": ("-----BEGIN EC " + pk + "-----", "Private Key"),
        "openssh_key": ("-----BEGIN OPENSSH " + pk + "-----", "Private Key"),
        "pkcs8_key": ("-----BEGIN " + pk + "-----", "Private Key"),
        "pkcs8_encrypted": ("-----BEGIN ENCRYPTED " + pk + "-----", "Private Key Block"),
        "base64_blob": (g.s(ALNUM, 44), "Base64 High Entropy String"),
        "hex_blob": (g.s(HEX, 40), "Hex High Entropy String"),
        "ibm_iam": (g.s(URLSAFE, 44), "IBM Cloud IAM Key"),
        "cloudant": (g.s(HEX, 64), "Cloudant Credentials"),
        "softlayer": (g.s(LOWER_DIGITS, 64), "SoftLayer Credentials"),
        "ibm_cos": (g.s(HEX, 48), "IBM COS HMAC Credentials"),
        "keyword": ("hunter" + g.s(ALNUM, 6), "Secret Keyword"),
        "aws_secret": (g.s(ALNUM + "/+", 40), "AWS Access Key"),
    }


def build(seed: int = 20261124) -> Corpus:
    s = secrets(seed)
    c = Corpus()

    def v(name: str) -> str:
        return s[name][0]

    def add(path: str, lines: list[tuple[str, str, str | None]]) -> None:
        """lines: (text, clean text, planted secret name or None)."""
        for number, (_, _, name) in enumerate(lines, start=1):
            if name is not None:
                c.planted.append(Planted(path, number, {s[name][1]}))
        c.files[path] = ("\n".join(t for t, _, _ in lines) + "\n").encode()
        c.clean[path] = ("\n".join(t for _, t, _ in lines) + "\n").encode()

    def quoted(key: str, name: str, quote: str = '"', end: str = ";") -> tuple[str, str, str]:
        return (f"const {key} = {quote}{v(name)}{quote}{end}", f"const {key} = {quote}{quote}{end}", name)

    add(
        "lib/config.js",
        [
            ("'use strict';", "'use strict';", None),
            quoted("awsKeyId", "aws_key_id"),
            (
                "const awsConfig = { aws_secret_key: '" + v("aws_secret") + "' };",
                "const awsConfig = { aws_secret_key: '' };",
                "aws_secret",
            ),
            quoted("discordToken", "discord"),
            quoted("githubToken", "github"),
            quoted("gitlabToken", "gitlab"),
            quoted("session", "jwt"),
            ("const mailchimp = '" + v("mailchimp") + "';", "const mailchimp = '';", "mailchimp"),
            quoted("openai", "openai"),
            quoted("npmToken", "npm_token"),
            quoted("pat", "github_pat"),
            (
                'const options = { password: "' + v("keyword") + '" };',
                "const options = { password: null };",
                "keyword",
            ),
            ("// a plain comment line", "// a plain comment line", None),
            ("module.exports = { awsConfig, options };", "module.exports = { awsConfig, options };", None),
        ],
    )
    add(
        "lib/keys.json",
        [
            ("{", "{", None),
            (
                f'  "connection": "DefaultEndpointsProtocol=https;{v("azure")}",',
                '  "connection": "DefaultEndpointsProtocol=https",',
                "azure",
            ),
            (f'  "pypi": "{v("pypi")}",', '  "pypi": "",', "pypi"),
            (f'  "sendgrid": "{v("sendgrid")}",', '  "sendgrid": "",', "sendgrid"),
            (f'  "google": "{v("google")}",', '  "google": "",', "google"),
            (f'  "ibm_cloud_iam_key": "{v("ibm_iam")}",', '  "ibm_cloud_iam_key": "",', "ibm_iam"),
            (f'  "blob": "{v("base64_blob")}",', '  "blob": "",', "base64_blob"),
            (f'  "digest": "{v("hex_blob")}"', '  "digest": ""', "hex_blob"),
            ("}", "}", None),
        ],
    )
    add(
        ".env",
        [
            ("# deployment settings", "# deployment settings", None),
            (f"STRIPE_KEY={v('stripe_live')}", "STRIPE_KEY=", "stripe_live"),
            (f"SLACK_BOT={v('slack_bot')}", "SLACK_BOT=", "slack_bot"),
            (f"cloudant_password={v('cloudant')}", "cloudant_password=", "cloudant"),
        ],
    )
    # The clean twin of a file that is a finding by its name alone must have another name.
    c.clean["dotenv.txt"] = c.clean.pop(".env")
    add(
        "README.md",
        [
            ("# Example", "# Example", None),
            ("", "", None),
            ("Connect with:", "Connect with:", None),
            ("", "", None),
            ("```sh", "```sh", None),
            (f"git clone {v('basic_auth')}", "git clone https://example.com/repo", "basic_auth"),
            (f"export SLACK_TOKEN={v('slack_user')}", "export SLACK_TOKEN=", "slack_user"),
            (f"export TELEGRAM={v('telegram')}", "export TELEGRAM=", "telegram"),
            ("```", "```", None),
            ("", "", None),
            (v("rsa_key"), "(key removed)", "rsa_key"),
            (v("pkcs8_encrypted"), "(key removed)", "pkcs8_encrypted"),
        ],
    )
    source = (
        f'const twilio = "{v("twilio")}";\nconst square = "{v("square")}";\n'
        f'const restricted = "{v("stripe_restricted")}";\nconst key = `{v("ec_key")}`;\n'
    )
    clean_source = 'const twilio = "";\nconst square = "";\nconst restricted = "";\nconst key = ``;\n'
    for path, text in (("dist/index.js.map", source), ("dist/clean.js.map", clean_source)):
        doc = json.dumps(
            {"version": 3, "sources": ["../src/index.ts"], "sourcesContent": [text], "mappings": "AAAA"}
        )
        if path == "dist/index.js.map":
            c.files[path] = doc.encode()
            for name in ("twilio", "square", "stripe_restricted", "ec_key"):
                c.planted.append(Planted(path, 1, {s[name][1]}))
        else:
            c.clean["dist/index.js.map"] = doc.encode()

    # A minified bundle: one 200 kB line with secrets far apart.
    filler = "function a(b){return b+1}var c=[1,2,3].map(a);"
    chunks = [
        filler * 1500,
        f'var e="{v("softlayer")}",softlayer_api_key="{v("softlayer")}";',
        filler * 1500,
        f'var ibm_cos_secret_access_key="{v("ibm_cos")}";',
        filler * 1000,
        f'var k="{v("openssh_key")}",p="{v("pkcs8_key")}";',
        filler * 500,
    ]
    clean_chunks = [
        filler * 1500,
        'var e="",softlayer_api_key="";',
        filler * 1500,
        'var ibm_cos_secret_access_key="";',
        filler * 1000,
        'var k="",p="";',
        filler * 500,
    ]
    c.files["dist/bundle.min.js"] = ("".join(chunks) + "\n").encode()
    c.clean["dist/bundle.min.js"] = ("".join(clean_chunks) + "\n").encode()
    for name in ("softlayer", "ibm_cos", "openssh_key", "pkcs8_key"):
        c.planted.append(Planted("dist/bundle.min.js", 1, {s[name][1]}))

    # Config files: detect-secrets reads an INI file through configparser (a [section]
    # first), and re-reads a file where nothing was found as INI with a header added.
    add(
        "conf/app.cfg",
        [
            ("[database]", "[database]", None),
            ("host = db.internal", "host = db.internal", None),
            (f"password = {v('keyword')}x", "password =", "keyword"),
        ],
    )
    add(
        ".env.production",
        [
            ("# read by the deploy job", "# read by the deploy job", None),
            (f"DB_PASSWORD={v('keyword')}y", "DB_PASSWORD=", "keyword"),
        ],
    )
    c.clean["env.production.txt"] = c.clean.pop(".env.production")

    # Files that are findings by name alone; their clean twins are renamed.
    c.files["credentials.json"] = b'{"type": "service_account"}\n'
    c.files["certs/server.pem"] = b"certificate\n"
    c.files[".npmrc"] = ("//registry.npmjs.org/:_authToken=" + v("npm_token") + "\n").encode()
    c.clean["credentials.example.txt"] = b'{"type": "service_account"}\n'
    c.clean["certs/server.txt"] = b"certificate\n"
    c.clean["npmrc.txt"] = b"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"
    c.planted += [
        Planted(".env", 0, {"Environment File"}),
        Planted(".env.production", 0, {"Environment File"}),
        Planted("credentials.json", 0, {"Credentials File"}),
        Planted("certs/server.pem", 0, {"Private Key File"}),
        Planted(".npmrc", 1, {"npmrc Auth Token", "NPM tokens"}),
    ]
    return c
