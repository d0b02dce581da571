"""The IMAP adapter: one account's folders, read incrementally with BODY.PEEK, over imapclient."""

from __future__ import annotations

import imaplib
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from refmail.domain.types import FetchedMessage
from refmail.mail.oauth2 import Credentials, TokenCommand, choose_mechanism, oauth2_hint
from refmail.mail.ports import Closeable, FolderStatus, MailError, ServerUnreachable
from refmail.mail.providers import explain_connect_error, login_hint
from refmail.mail.security import check_security, default_context

log = logging.getLogger(__name__)

T = TypeVar("T")

FETCH_BATCH = 500  # well under Dovecot's 64k command line (~12,900 UIDs)
# RFC 2177 lets IDLE run 29 minutes; some providers drop an idle connection after ~10. Renew well before.
IDLE_RENEW_SECONDS = 5 * 60

# What a dropped or broken connection looks like from imapclient/imaplib. IMAP4.abort
# subclasses IMAP4.error, so it must be caught before NO/BAD responses are.
_DROPPED: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.abort, EOFError)


class _FolderGone(Exception):
    """The folder's UIDVALIDITY changed while we were reading it."""


class ImapMailbox(Closeable):
    """One IMAP account; connects lazily, reconnects once on a dropped connection."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        security: str = "ssl",
        timeout: float = 30.0,
        *,
        allow_plaintext: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        token: TokenCommand | None = None,
    ) -> None:
        """With `token`, log in with OAuth2 (XOAUTH2, or OAUTHBEARER where only that is offered); `password`
        is then unused."""
        self.security = check_security("IMAP", host, security, allow_plaintext)
        self.host = host
        self.port = port
        self.user = user
        self._credentials = Credentials(password, token)
        self.timeout = timeout
        self._ssl_context = ssl_context
        self._client: IMAPClient | None = None
        self._selected: str | None = None
        self._special: dict[bytes, str] = {}
        self.login_method: str | None = None  # after a login: "password", "XOAUTH2" or "OAUTHBEARER" (for doctor)

    def __repr__(self) -> str:  # never the password
        return f"ImapMailbox({self.user}@{self.host}:{self.port}, security={self.security})"

    # ---- connection ------------------------------------------------------

    def _connect(self) -> IMAPClient:
        secret = self._credentials.secret()  # a refused password or token is never sent again: providers lock accounts
        context = self._ssl_context or (default_context() if self.security != "none" else None)
        log.debug("imap connect %s@%s:%s (%s)", self.user, self.host, self.port, self.security)
        try:
            client = IMAPClient(
                self.host,
                port=self.port,
                ssl=self.security == "ssl",
                ssl_context=context,
                timeout=self.timeout,
            )
        except OSError as exc:
            explained = explain_connect_error("IMAP", self.host, self.port, self.security, exc)
            if explained is None:
                raise
            raise ServerUnreachable(explained) from None
        try:
            if self.security == "starttls":
                client.starttls(context)
            self._credentials.log_in(secret, lambda s: self._log_in(client, s), LoginError, self._refused)
        except BaseException:
            _quietly(client.shutdown)
            raise
        return client

    def _log_in(self, client: IMAPClient, secret: str) -> None:
        if not self._credentials.is_oauth2:
            client.login(self.user, secret)
            self.login_method = "password"
            return
        mechanism = choose_mechanism({_text(c).upper().removeprefix("AUTH=") for c in client.capabilities()})
        log.debug("imap %s login as %s", mechanism, self.user)  # the mechanism, never the token
        if mechanism == "OAUTHBEARER":
            client.oauthbearer_login(self.user, secret)
        else:
            client.oauth2_login(self.user, secret)
        self.login_method = mechanism

    def _refused(self, exc: BaseException) -> str:
        token = self._credentials.token
        hint = oauth2_hint(token.setting) if token is not None else login_hint(self.host, "REFMAIL_IMAP")
        return f"IMAP login failed for {self.user} at {self.host} ({_text(exc)}): {hint}"

    def _drop(self) -> None:
        if self._client is not None:
            _quietly(self._client.shutdown)
        self._client = None
        self._selected = None

    def _run(self, what: str, op: Callable[[IMAPClient], T]) -> T:
        """Run op on a live connection; on a drop reconnect once and retry, then give up with MailError."""
        for attempt in (1, 2):
            try:
                if self._client is None:
                    self._client = self._connect()
                return op(self._client)
            except MailError:
                raise
            except _FolderGone as exc:
                raise MailError(str(exc)) from None
            except _DROPPED as exc:
                self._drop()
                if attempt == 2:
                    raise MailError(f"IMAP {what} failed for {self.user}@{self.host}: {exc}") from exc
                log.info("imap connection to %s@%s dropped (%s); reconnecting", self.user, self.host, exc)
            except imaplib.IMAP4.error as exc:
                raise MailError(f"IMAP {what} failed for {self.user}@{self.host}: {_text(exc)}") from exc
        raise AssertionError("unreachable")

    def _select(self, client: IMAPClient, folder: str) -> int:
        """Select folder read-only (so nothing we do sets flags); returns its UIDVALIDITY."""
        info = client.select_folder(folder, readonly=True)
        self._selected = folder
        return int(info[b"UIDVALIDITY"])

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except Exception:  # closing a dead connection is not an error worth reporting
                pass
        self._drop()

    # ---- Mailbox protocol -----------------------------------------------

    def status(self, folder: str) -> FolderStatus:
        def op(client: IMAPClient) -> FolderStatus:
            if self._selected is not None:
                # STATUS on the selected folder returns this session's stale view: leave it first.
                if client.has_capability("UNSELECT"):
                    client.unselect_folder()
                else:
                    client.close_folder()  # selected read-only, so CLOSE expunges nothing
                self._selected = None
            info = client.folder_status(folder, ["UIDVALIDITY", "UIDNEXT"])
            return FolderStatus(uidvalidity=int(info[b"UIDVALIDITY"]), uidnext=int(info[b"UIDNEXT"]))

        return self._run("STATUS", op)

    def fetch_new(
        self, folder: str, after_uid: int, wanted: Callable[[bytes], bool] | None = None, since: date | None = None
    ) -> Iterator[FetchedMessage]:
        """See Mailbox.fetch_new; `since` (shadow mode) keeps only mail the server received on or after that day."""
        def find(client: IMAPClient) -> tuple[int, list[int]]:
            uidvalidity = self._select(client, folder)
            # "N:*" also matches the highest UID when nothing is newer: filter explicitly.
            found = client.search(["UID", f"{after_uid + 1}:*"] + (["SINCE", since] if since else []))
            return uidvalidity, sorted(uid for uid in found if uid > after_uid)

        uidvalidity, uids = self._run("SEARCH", find)
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            headers: dict[int, bytes] = {}
            whole = batch
            if wanted is not None:
                got = self._fetch(folder, uidvalidity, batch, "BODY.PEEK[HEADER]", b"BODY[HEADER]")
                headers = {uid: raw for uid, (raw, _) in got.items()}
                whole = [uid for uid in batch if uid in headers and wanted(headers[uid])]
            bodies = self._fetch(folder, uidvalidity, whole, "BODY.PEEK[]", b"BODY[]") if whole else {}
            for uid in batch:
                if uid in bodies:
                    raw, flags = bodies[uid]
                    yield FetchedMessage(folder, uidvalidity, uid, raw, flags)
                elif uid in headers and uid not in whole:
                    yield FetchedMessage(folder, uidvalidity, uid, headers[uid], skipped=True)
                # else: expunged between SEARCH and FETCH

    def _fetch(
        self, folder: str, uidvalidity: int, uids: list[int], item: str, key: bytes
    ) -> dict[int, tuple[bytes, tuple[str, ...]]]:
        def op(client: IMAPClient) -> dict[int, dict[bytes, object]]:
            if self._selected != folder and self._select(client, folder) != uidvalidity:
                raise _FolderGone(f"UIDVALIDITY of {folder} changed while fetching")
            return client.fetch(uids, [item, "FLAGS"])

        response = self._run("FETCH", op)
        return {
            uid: (bytes(data[key]), tuple(_text(f) for f in data.get(b"FLAGS", ())))  # type: ignore[arg-type, union-attr]
            for uid, data in response.items()
            if data.get(key) is not None  # NIL: expunged between SEARCH and FETCH
        }

    def append(self, folder: str, data: bytes, when: datetime, flags: tuple[str, ...] = ()) -> None:
        message_id = _message_id(data)
        tries = 0

        def op(client: IMAPClient) -> None:
            nonlocal tries
            tries += 1
            # A retry after a drop may follow an APPEND the server did store: don't store it twice.
            if tries > 1 and message_id and self._has_message_id(client, folder, message_id):
                return
            try:
                client.append(folder, data, flags=flags, msg_time=when)
            except imaplib.IMAP4.error as exc:
                if isinstance(exc, imaplib.IMAP4.abort) or "TRYCREATE" not in _text(exc):
                    raise
                client.create_folder(folder)
                client.append(folder, data, flags=flags, msg_time=when)

        self._run("APPEND", op)

    def supports_idle(self) -> bool:
        return bool(self._run("CAPABILITY", lambda client: client.has_capability("IDLE")))

    def wait_for_mail(self, folder: str, after_uid: int, seconds: float,
                      stop: Callable[[], bool] = lambda: False) -> int | None:
        def op(client: IMAPClient) -> int | None:
            newest = self._newest_uid(client, folder)
            if newest > after_uid:  # it landed between the last poll and now: no IDLE needed
                return newest
            deadline = time.monotonic() + seconds
            while not stop() and time.monotonic() < deadline:
                renew_at = min(deadline, time.monotonic() + IDLE_RENEW_SECONDS)
                client.idle()
                try:
                    announced = False
                    while not announced and not stop() and time.monotonic() < renew_at:
                        # Short checks keep a stop request (SIGTERM) answered within a second.
                        responses = client.idle_check(timeout=min(1.0, max(renew_at - time.monotonic(), 0.05)))
                        announced = any(len(r) > 1 and r[1] == b"EXISTS" for r in responses)
                finally:
                    client.idle_done()
                newest = self._newest_uid(client, folder)
                if newest > after_uid:
                    return newest
            return None

        return self._run("IDLE", op)

    def capabilities(self) -> tuple[str, ...]:
        """What the server offers after login (IDLE, CONDSTORE, SPECIAL-USE, ...): for `refmail doctor`."""
        return tuple(sorted(_text(c).upper() for c in self._run("CAPABILITY", lambda client: client.capabilities())))

    def special_use_folders(self) -> dict[str, str]:
        """Folders flagged with an RFC 6154 special use, by flag ("\\Sent": "Sent Items"); creates nothing."""
        def op(client: IMAPClient) -> dict[str, str]:
            found: dict[str, str] = {}
            for flags, _sep, name in client.list_folders():
                for flag in flags:
                    text = _text(flag)
                    if text.lower() in ("\\sent", "\\drafts", "\\trash", "\\junk", "\\archive", "\\all"):
                        found.setdefault("\\" + text[1:].capitalize(), str(name))
            return found

        return self._run("LIST", op)

    def sent_folder(self) -> str:
        return self._special_folder(b"\\Sent", "Sent")

    def drafts_folder(self) -> str:
        return self._special_folder(b"\\Drafts", "Drafts")

    def contains_message_id(self, folder: str, message_id: str) -> bool:
        mid = message_id.strip().strip("<>")
        return self._run("SEARCH", lambda client: self._has_message_id(client, folder, mid))

    def remove_message_id(self, folder: str, message_id: str) -> int:
        mid = message_id.strip().strip("<>")

        def op(client: IMAPClient) -> int:
            client.select_folder(folder, readonly=False)
            try:
                uids = client.search(["HEADER", "Message-ID", f"<{mid}>"])
                if uids:
                    client.delete_messages(uids)
                    if client.has_capability("UIDPLUS"):
                        client.uid_expunge(uids)  # only these: never other messages she marked deleted
                return len(uids)
            finally:
                # Back to read-only, so nothing later (a CLOSE) can expunge what she marked deleted.
                self._select(client, folder)

        return self._run("STORE", op)

    # ---- helpers ---------------------------------------------------------

    def _newest_uid(self, client: IMAPClient, folder: str) -> int:
        """UIDNEXT - 1 from a fresh SELECT (a selected folder's view is only as fresh as its last command)."""
        info = client.select_folder(folder, readonly=True)
        self._selected = folder
        if b"UIDNEXT" in info:
            return int(info[b"UIDNEXT"]) - 1
        return max(client.search(["UID", "*"]) or [0])  # a server that leaves UIDNEXT out of SELECT

    def _has_message_id(self, client: IMAPClient, folder: str, mid: str) -> bool:
        self._select(client, folder)
        # HEADER search is a substring match: the brackets make it exact.
        return bool(client.search(["HEADER", "Message-ID", f"<{mid}>"]))

    def existing_sent_folder(self) -> str | None:
        """The Sent folder if there is one; never creates it (shadow mode changes nothing)."""
        found = self._run("LIST", lambda client: self._find_folder(client, b"\\Sent", "Sent"))
        return found[0] if found[1] else None

    def _find_folder(self, client: IMAPClient, flag: bytes, fallback: str) -> tuple[str, bool]:
        """(name, exists): the folder flagged `flag`, else `fallback` in the personal namespace."""
        folders = client.list_folders()
        for flags, _sep, name in folders:
            if flag in flags or flag.lower() in (f.lower() for f in flags):
                return str(name), True
        prefix = ""
        if client.has_capability("NAMESPACE"):
            personal = client.namespace().personal
            if personal:
                prefix = str(personal[0][0] or "")
        wanted = prefix + fallback
        for _flags, _sep, name in folders:
            if str(name).lower() == wanted.lower():
                return str(name), True
        return wanted, False

    def _special_folder(self, flag: bytes, fallback: str) -> str:
        """The folder flagged with RFC 6154 special use, else `fallback` in the personal namespace."""
        if flag in self._special:
            return self._special[flag]

        def op(client: IMAPClient) -> str:
            wanted, exists = self._find_folder(client, flag, fallback)
            if exists:
                return wanted
            log.info("no %s folder for %s@%s; creating %r", flag.decode(), self.user, self.host, wanted)
            client.create_folder(wanted)
            client.subscribe_folder(wanted)
            return wanted

        name = self._run("LIST", op)
        self._special[flag] = name
        return name


def _message_id(data: bytes) -> str | None:
    headers = BytesHeaderParser(policy=compat32).parsebytes(data)
    value = headers.get("Message-ID")
    return str(value).strip().strip("<>") or None if value else None


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, BaseException) and value.args:
        return _text(value.args[0])
    return str(value)


def _quietly(action: Callable[[], object]) -> None:
    try:
        action()
    except Exception:  # tearing down: the connection may already be gone
        pass
