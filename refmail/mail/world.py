"""A throw-away local mail world: a private Dovecot (IMAP) plus an SMTP server delivering into it."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import pwd
import grp
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from imapclient import IMAPClient

from refmail.mail.dovecot_config import dovecot_config, oauth2_args
from refmail.mail.ports import Closeable
from refmail.mail.token_server import TokenIntrospection

log = logging.getLogger(__name__)

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
LOOPBACK = "127.0.0.1"
_READY_TIMEOUT = 15.0

def free_port(host: str = LOOPBACK) -> int:
    """A port that was free a moment ago (the caller binds it right away)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class _Users:
    """Addresses and passwords, shared by the SMTP thread and the caller."""

    passwords: dict[str, str] = field(default_factory=dict)
    refusals: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _DeliveryHandler:
    """aiosmtpd handler: check each RCPT, then APPEND the message to every recipient's INBOX."""

    def __init__(self, world: "MailWorld") -> None:
        self._world = world

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:  # noqa: ANN001
        key = address.lower()
        reply = self._world._refusal(key)
        if reply is not None:
            return reply
        if not self._world.has_user(key):
            if self._world.reject_unknown:
                return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
            self._world.add_user(key)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        # A real MTA records the envelope sender at final delivery; bounces (MAIL FROM:<>) rely on it.
        stamped = f"Return-Path: <{envelope.mail_from or ''}>\r\n".encode() + data
        loop = asyncio.get_running_loop()
        rcpts = list(envelope.rcpt_tos)

        def deliver_all() -> None:
            for rcpt in rcpts:
                self._world.deliver(rcpt, stamped)

        try:
            # Blocking IMAP in one worker thread for every copy; 250 is answered only after all are stored.
            # One job, not one await per copy: a client that drops the connection after its data cancels
            # this handler, and a real MTA that took the data delivers to all recipients or none, never
            # to the prospect and not to the referrer in Bcc.
            await loop.run_in_executor(None, deliver_all)
        except Exception as exc:  # the client must see a retryable failure, not a hang
            log.exception("delivery failed")
            return f"451 4.3.0 Delivery failed: {type(exc).__name__}"
        return "250 2.0.0 OK: delivered"


class _OAuth2DeliveryHandler(_DeliveryHandler):
    """Also takes SMTP AUTH XOAUTH2 and OAUTHBEARER, with tokens the world's introspection endpoint knows."""

    async def auth_XOAUTH2(self, server, args) -> AuthResult:  # noqa: ANN001, N802 (aiosmtpd's naming)
        return await self._bearer(server, args, gs2_header=False)

    async def auth_OAUTHBEARER(self, server, args) -> AuthResult:  # noqa: ANN001, N802
        return await self._bearer(server, args, gs2_header=True)

    async def _bearer(self, server, args, gs2_header: bool) -> AuthResult:  # noqa: ANN001
        blob = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        if not isinstance(blob, bytes):  # the client gave up
            return AuthResult(success=False, handled=True)
        parts = blob.decode("utf-8", "replace").split("\x01")
        fields = dict(p.partition("=")[::2] for p in parts[1 if gs2_header else 0:] if "=" in p)
        if gs2_header:  # OAUTHBEARER (RFC 7628): "n,a=user," comes first
            authzid = next((p[2:] for p in parts[0].split(",") if p.startswith("a=")), "")
            fields["user"] = authzid.replace("=2C", ",").replace("=3D", "=")
        login = fields.get("user", "").lower()
        token = fields.get("auth", "").removeprefix("Bearer ").strip()
        tokens = self._world.tokens
        if tokens is not None and login and tokens.user_for(token) == login:
            return AuthResult(success=True, auth_data=login)
        # RFC 7628 3.2.2: the error comes as a challenge, the client answers it with an empty line.
        await server.challenge_auth('{"status":"invalid_token","schemes":"bearer","scope":"mail"}')
        return AuthResult(success=False, handled=False)


class MailWorld(Closeable):
    """One private Dovecot and one SMTP server on loopback, with users made up front.

    IMAP logins are the full (lower-cased) email address. Use ``MailWorld.start``
    and ``stop`` (or ``with``); ``special_use=False`` leaves every folder unflagged
    and creates no Sent/Drafts, to exercise clients' fallbacks.
    """

    def __init__(
        self,
        directory: Path,
        *,
        special_use: bool,
        reject_unknown: bool,
        owns_directory: bool,
        oauth2: bool = False,
    ) -> None:
        self.directory = directory
        self.special_use = special_use
        self.reject_unknown = reject_unknown
        self._owns_directory = owns_directory
        self._users = _Users()
        self._dovecot: subprocess.Popen[bytes] | None = None
        self._smtp: Controller | None = None
        self._run_dir: Path | None = None
        self.imap_host = LOOPBACK
        self.imap_port = 0
        self.smtp_host = LOOPBACK
        self.smtp_port = 0
        self._uid, self._gid = _mail_ids()
        # With oauth2, IMAP and SMTP also take XOAUTH2/OAUTHBEARER tokens from tokens.issue(email).
        self.tokens: TokenIntrospection | None = TokenIntrospection(LOOPBACK) if oauth2 else None

    # ---- lifecycle -------------------------------------------------------

    @classmethod
    def start(
        cls,
        users: list[str] | tuple[str, ...] = (),
        base_dir: str | os.PathLike[str] | None = None,
        *,
        special_use: bool = True,
        reject_unknown: bool = True,
        oauth2: bool = False,
    ) -> "MailWorld":
        if not os.path.exists(DOVECOT):
            raise RuntimeError(f"{DOVECOT} is missing: install the dovecot-imapd package")
        if base_dir is None:
            directory, owns = Path(tempfile.mkdtemp(prefix="refmail-world-")), True
        else:
            directory, owns = Path(base_dir), False
            directory.mkdir(parents=True, exist_ok=True)
        world = cls(directory, special_use=special_use, reject_unknown=reject_unknown, owns_directory=owns,
                    oauth2=oauth2)
        try:
            world._prepare(users)
            world._start_dovecot()
            world._start_smtp()
        except BaseException:
            world.stop()
            raise
        return world

    def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self.tokens is not None:
            self.tokens.close()
            self.tokens = None
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp = None
        if self._dovecot is not None:
            # Stop by our own child's PID and wait: a second start on the same dirs would
            # otherwise see "Dovecot is already running".
            self._dovecot.terminate()
            try:
                self._dovecot.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._dovecot.kill()
                self._dovecot.wait()
            self._dovecot = None
        if self._run_dir is not None and self._run_dir != self.directory / "run":
            shutil.rmtree(self._run_dir, ignore_errors=True)
        if self._owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _prepare(self, users: list[str] | tuple[str, ...]) -> None:
        _check_traversable(self.directory)
        # Dovecot's auth (user dovecot) and login (dovenull) processes must read these.
        self.directory.chmod(0o755)
        (self.directory / "home").mkdir(exist_ok=True)
        (self.directory / "home").chmod(0o755)
        (self.directory / "state").mkdir(exist_ok=True)
        run = self.directory / "run"
        if len(str(run)) > 60:
            # Unix socket paths are limited to ~108 bytes; Dovecot's are long.
            run = Path(tempfile.mkdtemp(prefix="refmail-dc-"))
        self._run_dir = run
        run.mkdir(exist_ok=True)
        run.chmod(0o755)
        (self.directory / "users").mkdir(exist_ok=True)
        (self.directory / "users").chmod(0o755)
        for email in users:
            self._add_user_record(email.lower(), secrets.token_urlsafe(12))

    def _start_dovecot(self) -> None:
        login_user = internal_user = None
        if os.geteuid() != 0:
            # Without root Dovecot cannot switch users: run every service as ourselves.
            login_user = internal_user = pwd.getpwuid(os.geteuid()).pw_name
        oauth2_file = None
        if self.tokens is not None:
            oauth2_file = self.directory / "dovecot-oauth2.conf.ext"
            oauth2_file.write_text(oauth2_args(self.tokens.url))
            oauth2_file.chmod(0o644)  # read by Dovecot's auth process
        for _attempt in range(3):
            self.imap_port = free_port()
            config = self.directory / "dovecot.conf"
            config.write_text(
                dovecot_config(
                    run=self._run_dir, state=self.directory / "state", directory=self.directory,
                    host=self.imap_host, port=self.imap_port, login_user=login_user or "dovenull",
                    internal_user=internal_user or "dovecot", special_use=self.special_use,
                    oauth2_args=oauth2_file,
                )
            )
            config.chmod(0o644)
            # -F keeps the master our child, so stop() can wait for it by PID.
            self._dovecot = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            if self._wait_for_imap():
                return
            self._dovecot.kill()
            self._dovecot.wait()
            self._dovecot = None
        raise RuntimeError(f"Dovecot did not start; see {self.directory / 'dovecot.log'}:\n{self.dovecot_log()}")

    def _wait_for_imap(self) -> bool:
        assert self._dovecot is not None
        deadline = time.monotonic() + _READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._dovecot.poll() is not None:
                err = self._dovecot.stderr.read().decode(errors="replace") if self._dovecot.stderr else ""
                log.warning("dovecot exited early: %s", err.strip())
                return False
            try:
                with socket.create_connection((self.imap_host, self.imap_port), timeout=1.0) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)  # readiness poll while the daemon binds its port
        return False

    def _start_smtp(self) -> None:
        last: Exception | None = None
        for _attempt in range(3):
            self.smtp_port = free_port()
            controller = Controller(
                (_OAuth2DeliveryHandler if self.tokens is not None else _DeliveryHandler)(self),
                hostname=self.smtp_host,
                port=self.smtp_port,
                authenticator=self._authenticate,
                auth_require_tls=False,  # loopback only; lets clients exercise AUTH
                auth_required=False,
                enable_SMTPUTF8=True,
            )
            try:
                controller.start()
            except Exception as exc:  # port taken between free_port() and bind: try another
                last = exc
                continue
            self._smtp = controller
            return
        raise RuntimeError(f"SMTP server did not start: {last}")

    # ---- users -----------------------------------------------------------

    def add_user(self, email: str, password: str | None = None) -> str:
        """Create a mailbox (cheap: Dovecot re-reads its passwd-file); returns the password."""
        email = email.lower()
        with self._users.lock:
            if email in self._users.passwords:
                return self._users.passwords[email]
            pw = password or secrets.token_urlsafe(12)
            self._add_user_record(email, pw)
            return pw

    def has_user(self, email: str) -> bool:
        return email.lower() in self._users.passwords

    def password(self, email: str) -> str:
        return self._users.passwords[email.lower()]

    @property
    def users(self) -> tuple[str, ...]:
        return tuple(self._users.passwords)

    def refuse_recipient(self, email: str, reply: str | None = "450 4.2.1 Mailbox busy, try later") -> None:
        """Make RCPT TO this address answer ``reply`` (None restores normal delivery)."""
        with self._users.lock:
            if reply is None:
                self._users.refusals.pop(email.lower(), None)
            else:
                self._users.refusals[email.lower()] = reply

    def _authenticate(self, server, session, envelope, mechanism: str, auth_data) -> AuthResult:  # noqa: ANN001
        """SMTP AUTH with the same address and password as IMAP."""
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode(errors="replace").lower()
        ok = self._users.passwords.get(login) == auth_data.password.decode(errors="replace")
        return AuthResult(success=ok, handled=False)

    def _refusal(self, email: str) -> str | None:
        return self._users.refusals.get(email)

    def _add_user_record(self, email: str, password: str) -> None:
        if ":" in email or "@" not in email or "/" in email or email.startswith("."):
            raise ValueError(f"not a usable address: {email!r}")
        home = self.directory / "home" / email
        home.mkdir(parents=True, exist_ok=True)
        os.chown(home, self._uid, self._gid)
        record = f"{email}:{{PLAIN}}{password}:{self._uid}:{self._gid}::{home}::\n"
        tmp = self.directory / "users" / f".{email}.tmp"
        tmp.write_text(record)
        tmp.chmod(0o644)
        tmp.replace(self.directory / "users" / email)  # atomic: auth never reads half a file
        self._users.passwords[email] = password

    # ---- helpers for tests and the demo ---------------------------------

    def imap(self, email: str) -> IMAPClient:
        """A logged-in raw IMAPClient for ``email`` (caller logs out)."""
        client = IMAPClient(self.imap_host, port=self.imap_port, ssl=False, timeout=10)
        client.login(email.lower(), self.password(email))
        return client

    def deliver(self, email: str, data: bytes, folder: str = "INBOX", flags: tuple[str, ...] = ()) -> None:
        """Store a message straight into a user's folder (what the SMTP server does per recipient)."""
        client = self.imap(email)
        try:
            client.append(folder, data, flags=flags)
        finally:
            client.logout()

    def messages(self, email: str, folder: str = "INBOX") -> list[bytes]:
        """Every message in a user's folder, oldest UID first, read without setting \\Seen."""
        client = self.imap(email)
        try:
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search("ALL"))
            found: list[bytes] = []
            for start in range(0, len(uids), 500):
                batch = uids[start : start + 500]
                response = client.fetch(batch, ["BODY.PEEK[]"])
                found.extend(response[uid][b"BODY[]"] for uid in batch if uid in response)
            return found
        finally:
            client.logout()

    def folders(self, email: str) -> list[tuple[tuple[bytes, ...], str]]:
        """(flags, name) of every folder a user has."""
        client = self.imap(email)
        try:
            return [(tuple(flags), name) for flags, _sep, name in client.list_folders()]
        finally:
            client.logout()

    def kick(self, email: str) -> None:
        """Make Dovecot drop every IMAP connection of ``email`` (a real server-side disconnect)."""
        subprocess.run(
            [DOVEADM, "-c", str(self.directory / "dovecot.conf"), "kick", email.lower()],
            check=True,
            capture_output=True,
        )

    def dovecot_log(self) -> str:
        path = self.directory / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def dovecot_logged(self, *needles: str, within: float = 10.0) -> bool:
        """Whether Dovecot's log holds every needle, or comes to within ``within`` seconds. Its log process
        writes each child process's lines as they reach it, so a login's line (imap-login) can land after
        the logout (imap) a client already saw: reading the file at once flaked, once in a few runs."""
        deadline = time.monotonic() + within
        while not all(n in self.dovecot_log() for n in needles):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True


def _mail_ids() -> tuple[int, int]:
    """Mail cannot be stored as uid 0: as root use nobody:nogroup, else ourselves."""
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    try:
        return pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
    except KeyError:
        return 65534, 65534


def _check_traversable(directory: Path) -> None:
    """Dovecot's unprivileged processes need o+x on every ancestor; say so instead of failing at LOGIN."""
    if os.geteuid() != 0:
        return
    for parent in directory.resolve().parents:
        if not parent.stat().st_mode & 0o001:
            raise RuntimeError(
                f"{parent} is not world-traversable (o+x); Dovecot's login and auth processes "
                f"cannot reach {directory}. Use base_dir=None (a fresh dir under /tmp)."
            )


__all__ = ["MailWorld", "free_port"]
