"""The SMTP adapter: submits OutgoingMail over smtplib, mapping failures to retry-later or permanent."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl

from refmail.domain.types import OutgoingMail
from refmail.mail.oauth2 import Credentials, TokenCommand, choose_mechanism, oauth2_hint, oauthbearer, xoauth2
from refmail.mail.ports import Closeable, AmbiguousSendError, MailError, ServerUnreachable, PermanentSendError
from refmail.mail.providers import explain_connect_error, login_hint
from refmail.mail.security import check_security, default_context

log = logging.getLogger(__name__)

_BARE_EOL = re.compile(rb"\r\n|\r|\n")
_DOT_STUFF = re.compile(rb"^\.", re.MULTILINE)  # RFC 5321 4.5.2: a line starting with '.' gets another


class SmtpTransport(Closeable):
    """One submission account; the connection is reused across sends until close()."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str | None = None,
        password: str | None = None,
        security: str = "starttls",
        timeout: float = 30.0,
        *,
        allow_plaintext: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
        token: TokenCommand | None = None,
    ) -> None:
        """With `token` (and a user), log in with OAuth2 (XOAUTH2, or OAUTHBEARER where only that is offered)."""
        self.security = check_security("SMTP", host, security, allow_plaintext)
        self.host = host
        self.port = port
        self.user = user
        self._credentials = Credentials(password, token)
        self.timeout = timeout
        self._ssl_context = ssl_context
        self._local_hostname = local_hostname
        self._conn: smtplib.SMTP | None = None
        self.login_method: str | None = None  # after a login: "password", "XOAUTH2" or "OAUTHBEARER" (for doctor)

    def __repr__(self) -> str:  # never the password
        who = f"{self.user}@" if self.user else ""
        return f"SmtpTransport({who}{self.host}:{self.port}, security={self.security})"

    # ---- connection ------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        context = self._ssl_context or default_context()
        log.debug("smtp connect %s%s:%s (%s)", f"{self.user} at " if self.user else "", self.host, self.port, self.security)
        # A refused password or token is never sent again: providers lock accounts that keep failing.
        secret = self._credentials.secret() if self.user else ""
        conn: smtplib.SMTP
        try:
            if self.security == "ssl":
                conn = smtplib.SMTP_SSL(
                    self.host, self.port, local_hostname=self._local_hostname, timeout=self.timeout, context=context
                )
            else:
                conn = smtplib.SMTP(self.host, self.port, local_hostname=self._local_hostname, timeout=self.timeout)
        except OSError as exc:
            explained = explain_connect_error("SMTP", self.host, self.port, self.security, exc)
            if explained is None:
                raise
            raise ServerUnreachable(explained) from None
        try:
            conn.ehlo()
            if self.security == "starttls":
                if not conn.has_extn("starttls"):
                    # Never fall back to plaintext silently.
                    raise MailError(f"SMTP server {self.host}:{self.port} does not offer STARTTLS")
                conn.starttls(context=context)
                conn.ehlo()
            if self.user:
                # Refused: LoginFailed, retryable on purpose (a MailError): a wrong password is fixed in config,
                # the drafts must not be lost.
                self._credentials.log_in(secret, lambda s: self._log_in(conn, s), smtplib.SMTPAuthenticationError,
                                         self._refused)
        except ssl.SSLError as exc:  # STARTTLS offered, then the handshake failed
            _quietly_close(conn)
            raise ServerUnreachable(explain_connect_error("SMTP", self.host, self.port, self.security, exc)
                                    or f"SMTP TLS with {self.host}:{self.port} failed: {exc}") from None
        except BaseException:
            _quietly_close(conn)
            raise
        return conn

    def _log_in(self, conn: smtplib.SMTP, secret: str) -> None:
        assert self.user is not None
        if not self._credentials.is_oauth2:
            conn.login(self.user, secret)
            self.login_method = "password"
            return
        offered = set(conn.esmtp_features.get("auth", "").upper().split())
        mechanism = choose_mechanism(offered)
        initial = (oauthbearer(self.user, self.host, self.port, secret) if mechanism == "OAUTHBEARER"
                   else xoauth2(self.user, secret))
        log.debug("smtp %s login as %s", mechanism, self.user)  # the mechanism, never the token
        # A refusal comes as a 334 challenge carrying the error; the answer to it is empty (RFC 7628 3.2.3).
        conn.auth(mechanism, lambda challenge=None: initial if challenge is None else "")
        self.login_method = mechanism

    def _refused(self, exc: BaseException) -> str:
        token = self._credentials.token
        hint = oauth2_hint(token.setting) if token is not None else login_hint(self.host, "REFMAIL_SMTP")
        code, text = (exc.smtp_code, _text(exc.smtp_error)) if isinstance(exc, smtplib.SMTPResponseException) else ("", exc)
        return f"SMTP login failed for {self.user} at {self.host} ({code} {text}): {hint}"

    def _live(self) -> smtplib.SMTP:
        """The cached connection if it still answers NOOP, else a new one."""
        if self._conn is not None:
            try:
                code, _ = self._conn.noop()
                if code == 250:
                    return self._conn
            except (smtplib.SMTPException, OSError):
                pass
            _quietly_close(self._conn)
            self._conn = None
        self._conn = self._connect()
        return self._conn

    def check(self) -> None:
        """Connect and log in, sending nothing: for `refmail doctor` and `refmail init`."""
        try:
            self._live()
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"SMTP to {self.host}:{self.port} failed: {exc}") from None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(self._conn)
        self._conn = None

    # ---- Transport protocol ----------------------------------------------

    def send(self, mail: OutgoingMail) -> dict[str, str]:
        if not mail.recipients:
            raise PermanentSendError(f"message {mail.message_id} has no recipients")
        data = _BARE_EOL.sub(b"\r\n", mail.data)  # the wire wants CRLF; smtplib leaves bytes alone
        try:
            conn = self._live()
            options = _mail_options(conn, mail, data)
            refused = _transact(conn, mail.sender, list(mail.recipients), data, options)
        except AmbiguousSendError:
            self._drop()
            raise
        except MailError:
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            refused_text = {rcpt: f"{code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items()}
            if all(code >= 500 for code, _ in exc.recipients.values()):
                raise PermanentSendError(f"all recipients refused: {refused_text}", refused_text) from None
            raise MailError(f"recipients temporarily refused: {refused_text}") from None
        except smtplib.SMTPResponseException as exc:
            # Sender refused, DATA refused, or any other coded reply.
            self._reset()
            detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentSendError(f"SMTP refused {mail.message_id}: {detail}") from None
            raise MailError(f"SMTP deferred {mail.message_id}: {detail}") from None
        except (smtplib.SMTPException, OSError) as exc:
            # Disconnects, timeouts, TLS failures: the message may be retried later.
            self._drop()
            raise MailError(f"SMTP to {self.host}:{self.port} failed: {exc}") from exc
        if refused:
            # Accepted for some recipients, so it was sent: raising would make a retry send it twice.
            log.warning(
                "message %s refused for %s", mail.message_id, {r: f"{c} {_text(m)}" for r, (c, m) in refused.items()}
            )
        return {r: f"{c} {_text(m)}" for r, (c, m) in (refused or {}).items() if c >= 500}

    def _reset(self) -> None:
        """After a refusal the connection is usable again once the transaction is reset."""
        if self._conn is None:
            return
        try:
            self._conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            _quietly_close(self._conn)
        self._conn = None


def _transact(conn: smtplib.SMTP, sender: str, recipients: list[str], data: bytes,
              options: list[str]) -> dict[str, tuple[int, bytes]]:
    """smtplib's sendmail, split so a failure after DATA is told apart from one before it."""
    conn.ehlo_or_helo_if_needed()
    code, resp = conn.mail(sender, options)
    if code != 250:
        conn.rset() if code != 421 else conn.close()
        raise smtplib.SMTPSenderRefused(code, resp, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for rcpt in recipients:
        code, resp = conn.rcpt(rcpt)
        if code not in (250, 251):
            refused[rcpt] = (code, resp)
        if code == 421:
            conn.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        conn.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    # smtplib's data() in two halves. Until the server's 354 and the last byte of the message are out,
    # a failure is a plain temporary one: nothing complete reached the server, a retry sends it once.
    code, resp = conn.docmd("DATA")
    if code != 354:
        if code == 421:
            conn.close()
        raise smtplib.SMTPDataError(code, resp)
    conn.send(_DOT_STUFF.sub(b"..", data).removesuffix(b"\r\n") + b"\r\n.\r\n")
    # The whole message is out: from here on the server may have taken it, whatever happens to its answer.
    try:
        code, resp = conn.getreply()
    except (smtplib.SMTPException, OSError) as exc:
        raise AmbiguousSendError(f"connection lost after sending the message data: {exc}") from exc
    if code != 250:
        raise smtplib.SMTPDataError(code, resp)
    return refused


def _mail_options(conn: smtplib.SMTP, mail: OutgoingMail, data: bytes) -> list[str]:
    options: list[str] = []
    if not data.isascii() and conn.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    if not all(a.isascii() for a in (mail.sender, *mail.recipients)):
        if not conn.has_extn("smtputf8"):
            raise PermanentSendError("the SMTP server cannot take non-ASCII addresses (no SMTPUTF8)")
        options.append("SMTPUTF8")
    return options


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _quietly_close(conn: smtplib.SMTP) -> None:
    try:
        conn.close()
    except OSError:  # already gone
        pass
