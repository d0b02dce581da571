"""The new text of a reply: quotes, forwarded parts and signature removed; "stop emailing me" cues."""

from __future__ import annotations

import re

from functools import cache
from typing import Any

from refmail.domain.mailtext import new_text, without_signature


@cache
def _parser() -> Any:
    """Built on first use: mail-parser-reply costs start-up time that commands which read no reply skip."""
    from mailparser_reply import EmailReplyParser

    return EmailReplyParser(languages=["en", "de", "fr", "es"])

_DNC = re.compile(
    r"\b(?:please )?(?:remove me|take me off|unsubscribe me|stop (?:e-?mailing|emailing|contacting|writing to|messaging|sending)|"
    r"do not (?:contact|e-?mail|email|write to) me|don't (?:contact|e-?mail|email|write to) me|not interested,? (?:please|thanks)|"
    r"no further (?:contact|emails)|leave me alone|lose my (?:e-?mail|address)|opt(?:-| )?out|"
    r"do not send (?:me )?(?:any )?(?:further|more) (?:e-?mails|mails|messages)|off your (?:mailing )?list)\b|"
    r"bitte (?:keine (?:weiteren )?e-?mails|entfernen sie mich)|ne (?:plus )?me (?:contactez|écrivez) plus|"
    r"(?:nehmen sie|streichen sie) mich (?:aus|von)|kontaktieren sie mich nicht|keine weiteren (?:e-?mails|nachrichten)|"
    r"no me (?:contacte|escriba)s? más|dejen de escribirme",
    re.IGNORECASE,
)


def reply_text(text: str) -> str:
    """What the sender wrote in this reply: no quotes, no forwarded part, no signature.

    mail-parser-reply finds the signature and the quote markers it knows; our own cut runs first, because
    it knows separators and attributions in languages the library does not load (nl, it, pt, sv, ...).
    """
    head = new_text(text, below_quotes=True)
    try:
        parsed = _parser().parse_reply(text=head)
    except Exception:  # the library's regexes on odd input: fall back to our own cut
        parsed = head
    parsed = parsed if parsed and parsed.strip() else head
    return without_signature(parsed).strip()


def do_not_contact(text: str) -> bool:
    """The writer asks not to be contacted again ("please remove me", "stop emailing me").

    Whitespace is folded first: a phrase wrapped across lines ("please take\nme off your list") still counts.
    """
    return bool(_DNC.search(" ".join(text.split())))
