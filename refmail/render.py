"""Templates -> words, and words -> an RFC 5322 message ready for the outbox."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from refmail.domain.types import OutgoingMail, Person
from refmail.errors import TemplateError

if TYPE_CHECKING:  # drafting reads mail text (its regexes compile at import): listing commands never need it
    from refmail.domain.drafting import DraftSpec
    from jinja2 import Environment

PACKAGED = Path(__file__).parent / "data" / "templates"
_SPACE = re.compile(r"\s+")
# Fold only past RFC 5322's hard limit: Python otherwise may fold right after "Subject:", and a
# strict reader then sees the value with a leading space.
_POLICY = SMTP.clone(max_line_length=998)


@cache
def _inliner():  # type: ignore[no-untyped-def]
    """Imported on the first HTML render (15 ms): listing commands and idle cycles render none.
    Nothing is fetched: a template (hers, in her templates folder) must not make refmail load a URL."""
    import css_inline

    return css_inline.CSSInliner(load_remote_stylesheets=False)


def single_line(text: str) -> str:
    """Header values never carry a line break (no header injection from a display name)."""
    return _SPACE.sub(" ", text).strip()


class Renderer:
    """Jinja2 over the user's folder first, then the packaged templates.

    Jinja2 is imported when the first template is rendered: every command builds a Renderer, and the
    listing commands (`drafts`, `referrals`) and an idle cycle render nothing."""

    def __init__(self, user_folder: Path | None = None) -> None:
        self.folders = [str(f) for f in (user_folder, PACKAGED) if f is not None]

    @cached_property
    def env(self) -> Environment:
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

        return Environment(
            loader=ChoiceLoader([FileSystemLoader(f) for f in dict.fromkeys(self.folders)]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,  # plain-text mail; HTML templates autoescape by name below
        )

    @cached_property
    def html_env(self) -> Environment:
        return self.env.overlay(autoescape=True)

    def text(self, name: str, data: dict[str, object]) -> str:
        return self._render(self.env, name, data)

    def html(self, name: str, data: dict[str, object]) -> str:
        """Autoescaped, then the template's <style> block moved into style attributes: many mail clients
        (Gmail's apps among them) drop <style>, so the styles are written once and inlined here."""
        return _inliner().inline(self._render(self.html_env, name, data))

    @staticmethod
    def _render(env: Environment, name: str, data: dict[str, object]) -> str:
        from jinja2 import TemplateNotFound

        try:
            return env.get_template(name).render(**data)
        except TemplateNotFound:
            raise TemplateError(f"template {name} not found") from None
        except Exception as exc:  # jinja's UndefinedError and friends
            raise TemplateError(f"template {name}: {exc}") from None

    def draft(self, spec: DraftSpec) -> tuple[str, str]:
        """(subject, body) for a draft; a reply keeps the subject of what it answers."""
        subject = single_line(spec.reply_subject or self.text(f"{spec.kind}.subject.j2", spec.data))
        body = self.text(f"{spec.kind}.body.j2", spec.data).strip() + "\n"
        return subject, body


@dataclass(frozen=True)
class Envelope:
    """What compose() needs of a draft, whoever stores it."""

    message_id: str
    kind: str
    sender: Person
    to: tuple[Person, ...]
    cc: tuple[Person, ...]
    subject: str
    body: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    reply_to: str | None = None
    html: str | None = None
    bcc: tuple[Person, ...] = ()


def address_line(people: Iterable[Person]) -> str:
    """Name <address>, ... on one line: safe in a header and in a sentence."""
    return ", ".join(Person(single_line(p.name), p.email).formatted() for p in people)


def compose(env: Envelope, now: datetime, show_bcc: bool = False) -> OutgoingMail:
    """Build the bytes. Date is the injected clock; Message-ID is the draft's, fixed at creation.

    BCC addresses go on the envelope only; `show_bcc` writes them as a Bcc header too, for the copies
    that stay with the owner (her Sent folder, a draft her own client will send).
    """
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = address_line([env.sender])
    msg["To"] = address_line(env.to)
    if env.cc:
        msg["Cc"] = address_line(env.cc)
    if show_bcc and env.bcc:
        msg["Bcc"] = address_line(env.bcc)
    if env.reply_to:
        msg["Reply-To"] = env.reply_to
    msg["Subject"] = single_line(env.subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{env.message_id}>"
    if env.in_reply_to:
        msg["In-Reply-To"] = f"<{env.in_reply_to}>"
    refs = [r for r in dict.fromkeys(env.references) if r]
    if refs:
        msg["References"] = " ".join(f"<{r}>" for r in refs)
    msg["X-Refmail"] = env.kind
    msg["Auto-Submitted"] = "auto-generated" if env.kind in ("approval", "digest", "question") else "no"
    msg.set_content(env.body)
    if env.html is not None:
        msg.add_alternative(env.html, subtype="html")
    recipients = tuple(dict.fromkeys(p.email for p in env.to + env.cc + env.bcc))
    return OutgoingMail(env.message_id, env.sender.email, recipients, msg.as_bytes())
