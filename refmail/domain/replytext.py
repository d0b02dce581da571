"""The new text of a reply: quotes, forwarded parts and signature removed; "stop emailing me" cues."""

from __future__ import annotations

import re

from functools import cache
from typing import Any


@cache
def _parser() -> Any:
    """Built on first use: mail-parser-reply costs start-up time that commands which read no reply skip."""
    from mailparser_reply import EmailReplyParser

    return EmailReplyParser(languages=["en", "de", "fr", "es"])

_CUT = re.compile(
    r"^[ \t]*(?:-{2,}\s*(?:Forwarded message|Original Message|Forwarded Message|Message transféré|"
    r"Weitergeleitete Nachricht|Ursprüngliche Nachricht|Mensaje reenviado|Mensaje original|Message d'origine)"
    r"|Begin forwarded message:|_{10,}\s*$|-{10,}\s*Forwarded by|"
    r"(?:On|Am|Le|El)\s[^\n]{0,200}?(?:\n[^\n]{0,120}?)?(?:wrote|schrieb|a écrit|escribió)\s*:\s*$|"
    r"\*?(?:From|Von|De)\s*:\*?\s.*\n\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|To|An)\s*:)",
    re.IGNORECASE | re.MULTILINE,
)
# The lines a client puts under what its user wrote: the "-- " delimiter and the mobile and webmail taglines.
SIGNATURE_LINE = re.compile(
    r"^(?:-- ?|—|Sent (?:from|with|via) .+|Get Outlook for .+|Von meinem .+ gesendet.*|Gesendet von .+|"
    r"Envoyé (?:de|depuis) (?:mon|ma) .+|Enviado (?:desde|de) mi .+)$",
    re.MULTILINE | re.IGNORECASE)
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


def top_text(text: str) -> str:
    """Text above the first quoted or forwarded message, and without ">"-quoted lines."""
    match = _CUT.search(text)
    head = text[: match.start()] if match else text
    return "\n".join(line for line in head.split("\n") if not line.lstrip().startswith(">")).strip()


def reply_text(text: str) -> str:
    """What the sender wrote in this reply: no quotes, no forwarded part, no signature."""
    head = top_text(text)
    try:
        parsed = _parser().parse_reply(text=head)
    except Exception:  # the library's regexes on odd input: fall back to our own cut
        parsed = head
    parsed = parsed if parsed and parsed.strip() else head
    sig = SIGNATURE_LINE.search(parsed)
    if sig and sig.start() > 0:
        parsed = parsed[: sig.start()]
    return parsed.strip()


def do_not_contact(text: str) -> bool:
    """The writer asks not to be contacted again ("please remove me", "stop emailing me").

    Whitespace is folded first: a phrase wrapped across lines ("please take\nme off your list") still counts.
    """
    return bool(_DNC.search(" ".join(text.split())))
