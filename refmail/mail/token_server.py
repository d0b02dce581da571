"""A local OAuth2 token-introspection endpoint (RFC 7662) for a MailWorld: Dovecot's oauth2 passdb asks it
whether a bearer token is live and whose it is, and the world's SMTP server checks the same table."""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from refmail.mail.ports import Closeable

INTROSPECT_PATH = "/introspect"


class TokenIntrospection(Closeable):
    """Tokens it issued, until revoked; `requests` counts the introspections (one per login Dovecot checks)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self._server = ThreadingHTTPServer((host, 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="token-introspection", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{INTROSPECT_PATH}"

    def issue(self, email: str) -> str:
        return self.accept(secrets.token_urlsafe(24), email)

    def accept(self, token: str, email: str) -> str:
        """Make a token another issuer gave out (a test's identity provider) live for `email`."""
        with self._lock:
            self._tokens[token] = email.lower()
        return token

    def revoke(self, token: str) -> None:
        """What an expired or withdrawn token looks like to the server: no longer active."""
        with self._lock:
            self._tokens.pop(token, None)

    def user_for(self, token: str) -> str | None:
        with self._lock:
            return self._tokens.get(token)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, token: str) -> dict[str, object]:
        with self._lock:
            self.requests += 1
        user = self.user_for(token)
        return {"active": True, "username": user} if user else {"active": False}


def _handler(owner: TokenIntrospection) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """POST token=... (introspection_mode = post), or GET with the token in the query or a Bearer header."""

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
            self._reply(form.get("token", [""])[0])

        def do_GET(self) -> None:  # noqa: N802
            query = parse_qs(urlsplit(self.path).query)
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            self._reply(query.get("token", query.get("access_token", [""]))[0] or bearer)

        def _reply(self, token: str) -> None:
            body = json.dumps(owner._answer(token)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # tokens in request lines stay out of logs
            pass

    return Handler
