"""OAuth2 logins for IMAP and SMTP: an access token from a command (as mbsync's PassCmd), tried once per token.

The command is split like a shell would split it but never run by one: nothing is interpolated, and no mail
content ever reaches it. The token it prints is used at once and never logged.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from refmail.mail.ports import LoginFailed

if TYPE_CHECKING:
    from refmail.config import Settings

TOKEN_COMMAND_TIMEOUT = 30.0  # `refmail auth token` may refresh over the network; a hung helper must not stall a cycle
_STDERR_SHOWN = 300


class TokenCommandFailed(LoginFailed):
    """The configured token command could not give a token; the message names the setting."""


@dataclass(frozen=True)
class TokenCommand:
    """`setting` (e.g. REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND) = `command`: prints a current access token."""

    command: str
    setting: str
    timeout: float = TOKEN_COMMAND_TIMEOUT

    def argv(self) -> list[str]:
        try:
            argv = shlex.split(self.command)
        except ValueError as exc:
            raise TokenCommandFailed(f"{self.setting}: cannot split {self.command!r} into words ({exc})") from None
        if not argv:
            raise TokenCommandFailed(f"{self.setting} is empty: set it to a command that prints an access token, "
                                     "e.g. `refmail auth token --provider microsoft`")
        return argv

    def fetch(self) -> str:
        """Run the command and return the first line it prints."""
        argv = self.argv()
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=self.timeout,
                                  check=False, shell=False)
        except FileNotFoundError:
            raise TokenCommandFailed(f"{self.setting}: cannot run {argv[0]!r}: no such program") from None
        except PermissionError:
            raise TokenCommandFailed(f"{self.setting}: cannot run {argv[0]!r}: not executable") from None
        except subprocess.TimeoutExpired:
            raise TokenCommandFailed(f"{self.setting}: {argv[0]!r} did not finish within {self.timeout:g} s") from None
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip()[-_STDERR_SHOWN:]
            raise TokenCommandFailed(f"{self.setting}: {argv[0]!r} failed (exit status {done.returncode})"
                                     + (f": {said}" if said else ""))
        lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
        token = lines[0].strip() if lines else ""
        if not token:
            raise TokenCommandFailed(f"{self.setting}: {argv[0]!r} printed no token")
        return token


def xoauth2(user: str, token: str) -> str:
    """The XOAUTH2 initial response (Google's and Microsoft's documented format)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def oauthbearer(user: str, host: str, port: int, token: str) -> str:
    """The OAUTHBEARER initial response (RFC 7628 section 3.1)."""
    authzid = user.replace("=", "=3D").replace(",", "=2C")
    return f"n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01"


def choose_mechanism(offered: set[str]) -> str:
    """XOAUTH2 where offered (Microsoft offers only it), else OAUTHBEARER; XOAUTH2 when the server lists neither."""
    if "XOAUTH2" not in offered and "OAUTHBEARER" in offered:
        return "OAUTHBEARER"
    return "XOAUTH2"


@dataclass
class Credentials:
    """A password, or a token command; remembers what the server refused so it is never sent twice.

    A refused password stays refused until the settings change. A refused token makes refmail run the
    command once more (the token may have expired since the helper cached it); a new token gets a try,
    the same one does not, and every connect asks the command again, so a refreshed token heals it.
    """

    password: str | None = field(default=None, repr=False)
    token: TokenCommand | None = None
    _refused: tuple[str, LoginFailed] | None = field(default=None, repr=False)

    @property
    def is_oauth2(self) -> bool:
        return self.token is not None

    def secret(self) -> str:
        """The password, or a fresh token from the command; the remembered LoginFailed if exactly this was refused
        (call it before connecting: a refused secret never reaches the server again)."""
        secret = self.token.fetch() if self.token is not None else (self.password or "")
        if self._refused is not None and self._refused[0] == secret:
            raise self._refused[1]
        return secret

    def log_in(self, secret: str, attempt: Callable[[str], None],
               refused: type[BaseException] | tuple[type[BaseException], ...],
               failure: Callable[[BaseException], str]) -> None:
        """attempt(secret) logs in or raises `refused`; a refusal becomes LoginFailed(failure(exc))."""
        try:
            attempt(secret)
            return
        except refused as exc:
            error: BaseException = exc
        if self.token is not None:
            fresh = self.token.fetch()
            if fresh != secret:
                secret = fresh
                try:
                    attempt(secret)
                    return
                except refused as exc:
                    error = exc
        failed = LoginFailed(failure(error))
        self._refused = (secret, failed)
        raise failed


def oauth2_hint(setting: str) -> str:
    """What to do when the server refuses a token from the command."""
    return (f"the access token from {setting} was refused: check that the command prints a current token "
            "for this user with the mail scope (for `refmail auth token`, run `refmail auth login` again if "
            "the sign-in was revoked or has expired)")


@dataclass(frozen=True)
class AccountTokens:
    """The token command of each account refmail logs in to; None where it logs in with a password."""

    owner: TokenCommand | None
    intake: TokenCommand | None
    smtp: TokenCommand | None


def account_tokens(settings: Settings) -> AccountTokens:
    def command(value: str | None, setting: str) -> TokenCommand | None:
        return TokenCommand(value, setting) if value else None

    return AccountTokens(
        owner=command(settings.imap.oauth2_token_command if settings.imap else None,
                      "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND"),
        intake=command(settings.intake_oauth2_token_command, "REFMAIL_INTAKE_IMAP_OAUTH2_TOKEN_COMMAND"),
        smtp=command(settings.smtp.oauth2_token_command if settings.smtp else None,
                     "REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND"),
    )
