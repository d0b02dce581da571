"""Every error refmail raises on purpose, under one base, so the command line catches one type.

Each error knows how it is shown: `report()` is the line the CLI prints and `exit_code` its exit
status (1 a problem to fix, 2 wrong usage). Modules keep raising them under their old names
(`refmail.config.ConfigError`, `refmail.mail.ports.MailError`, ...), which import them from here.
Pure: no imports from the rest of refmail, so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Sequence


class RefmailError(Exception):
    """Base of every error refmail raises on purpose."""

    exit_code = 1

    def report(self) -> str:
        return f"refmail: {self}"


# ---- the user's to fix: printed without a traceback -----------------------------


class UserError(RefmailError):
    """Something the user must fix; `hint` (when there is one) says how, on a line of its own."""

    def __init__(self, message: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def report(self) -> str:
        return f"refmail: {self}" + (f"\n{self.hint}" if self.hint else "")


class UsageError(UserError):
    """Wrong usage found after argparse: exit 2, worded like argparse's own errors."""

    exit_code = 2

    def __init__(self, command: str, message: str) -> None:
        super().__init__(message)
        self.command = command

    def report(self) -> str:
        return f"refmail {self.command}: error: {self}"


class ConfigError(UserError):
    """A setting is missing or wrong; the message names it."""


class RulesError(UserError, ValueError):
    """rules.yaml says something refmail cannot use; the message names the key."""


class TemplateError(UserError):
    """A template is missing or uses a name it was not given."""


class DatabaseURLError(UserError, ValueError):
    """REFMAIL_DATABASE_URL cannot be used; the message never shows its password."""


class InsecureConnectionError(UserError, ValueError):
    """A plaintext connection (password and mail in the clear) to a host that is not loopback."""


class InitError(UserError):
    """A login or a setting that does not work; the config file is left as it was."""


class DecisionError(UserError):
    """The draft or referral does not exist, or was already decided."""


class QuestionError(UserError):
    """No such question, or an answer refmail cannot act on; the message says which."""


class SigninError(UserError):
    """Signing in to a provider, or refreshing the sign-in, did not work; the message says what to run."""


class AmbiguousId(UserError, LookupError):
    """A short ID that fits several rows: acting on one of them would be a guess."""

    def __init__(self, short_id: str, matches: Sequence[str]) -> None:
        super().__init__(f"{short_id!r} fits {', '.join(matches)}: type more of the ID")


# ---- the mail servers ------------------------------------------------------------


class MailProblem(RefmailError):
    """Something a mail server said or did not say."""

    def report(self) -> str:
        return f"refmail: mail server problem: {self}"


class MailError(MailProblem):
    """A mail server problem worth retrying later (dropped connection, timeout)."""


class LoginFailed(MailError):
    """The server refused the user name or password. Said once (with the provider's hint), and not retried
    on the same connection object: providers lock accounts that keep failing."""


class ServerUnreachable(MailError):
    """No conversation with the server at all (refused, wrong TLS mode, unknown host): the message says
    which setting to check, and every stage that needs the server would say the same, so it is said once."""


class PermanentSendError(MailProblem):
    """The SMTP server refused for good (5xx): retrying will not help."""

    def __init__(self, message: str, refused: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.refused = refused or {}


class AmbiguousSendError(MailProblem):
    """The connection failed after the message data went out: the server may have taken it.

    Retrying could send it twice, so the outbox holds such a message for the owner instead.
    """


# ---- refmail's own rules, caught inside: a bug if one reaches the user ----------


class InternalError(RefmailError):
    """A rule refmail keeps for itself; the app catches these. One that reaches the CLI is a bug."""

    def report(self) -> str:
        return f"refmail: unexpected error ({type(self).__name__}: {self}); run with -v for details"


class InvalidTransition(InternalError):
    """An event that makes no sense in the referral's state (e.g. a due step after a reply)."""


class OverBudget(InternalError):
    """Reading one message took longer than rules.yaml's time budget: the app quarantines it."""
