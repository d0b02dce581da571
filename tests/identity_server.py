"""A local OAuth2 identity provider over HTTPS (msal accepts only https authorities): OpenID discovery, the
device-code endpoint and a token endpoint that answers device-code, authorization-code and refresh grants.

It plays the provider's side only; msal, google-auth-oauthlib and google-auth talk to it as they would to
Microsoft or Google. Its certificate is self-signed; clients trust it through REQUESTS_CA_BUNDLE.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written to `directory`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "idp-cert.pem", directory / "idp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class IdentityProvider:
    """Issues access tokens for `username`; `expires_in` is what it says about each new access token."""

    directory: Path
    username: str = "olivia@example.com"
    expires_in: int = 3600
    grants: list[dict[str, str]] = field(default_factory=list)  # every token request, in order
    device_requests: list[dict[str, str]] = field(default_factory=list)  # device-code sign-ins started
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: list[str] = field(default_factory=list)
    tenant: str = "tenant-1"
    on_issue: Callable[[str, str], object] | None = None  # (access token, username): e.g. make it live in a world

    def start(self) -> "IdentityProvider":
        self.cert, key = self_signed(self.directory)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        return f"{self.base}/{self.tenant}/oauth2/v2.0/token"

    def revoke_refresh_tokens(self) -> None:
        self.refresh_tokens.clear()

    def _tokens(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        self.grants.append(form)
        grant = form.get("grant_type", "")
        if grant == "refresh_token" and form.get("refresh_token") not in self.refresh_tokens:
            return 400, {"error": "invalid_grant", "error_description": "AADSTS70008: the refresh token has expired"}
        if grant not in ("refresh_token", "authorization_code", "urn:ietf:params:oauth:grant-type:device_code"):
            return 400, {"error": "unsupported_grant_type"}
        access, refresh = f"at-{secrets.token_hex(8)}", f"rt-{secrets.token_hex(8)}"
        self.access_tokens.append(access)
        if self.on_issue is not None:
            self.on_issue(access, self.username)
        self.refresh_tokens = {refresh}  # rotated, as Microsoft and Google may do
        claims = {"iss": f"{self.base}/{self.tenant}/v2.0", "aud": form.get("client_id", ""), "sub": "s1",
                  "oid": "o1", "tid": self.tenant, "preferred_username": self.username,
                  "exp": 4102444800, "iat": 1700000000}
        # What was granted: the request's scopes (a device-code poll names none: those it started with). Left out
        # when unknown, which RFC 6749 5.1 reads as "as requested".
        scope = form.get("scope") or (self.device_requests[-1].get("scope", "") if self.device_requests else "")
        return 200, {"token_type": "Bearer", "access_token": access, "refresh_token": refresh,
                     "expires_in": self.expires_in, **({"scope": scope} if scope else {}),
                     "id_token": f"{_b64({'alg': 'none'})}.{_b64(claims)}.",
                     "client_info": _b64({"uid": "o1", "utid": self.tenant})}


def _handler(idp: IdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.endswith("/.well-known/openid-configuration"):
                root = f"{idp.base}/{idp.tenant}"
                self._json(200, {"issuer": f"{root}/v2.0", "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                                 "token_endpoint": f"{root}/oauth2/v2.0/token",
                                 "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode"})
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path.endswith("/devicecode"):
                idp.device_requests.append(form)
                self._json(200, {"device_code": "dc-1", "user_code": "WXYZ-1234", "interval": 0,
                                 "verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900,
                                 "message": "To sign in, open https://microsoft.com/devicelogin and enter "
                                            "the code WXYZ-1234."})
            elif self.path.endswith("/token"):
                self._json(*idp._tokens(form))
            else:
                self._json(404, {"error": "not_found"})

        def _json(self, code: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
