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


# Someone writing on an old thread for other business says so: "sorry for using this old thread", "digging up the
# very first mail", "je reprends ce vieux fil", "ich antworte auf die alte Mail", "пишу в эту старую ветку".
_OLD_THREAD = re.compile(
    r"\b(?:(?:this|that|the|an|our) (?:very )?(?:old|ancient) (?:e-?mail )?(?:thread|chain|e-?mail|mail|message|conversation)\b(?! ?(?:address|server|system|account|box|client))|"
    r"(?:old|ancient) (?:e-?mail )?thread|(?:digging|dig|dug) (?:up|out) (?:this|that|the|an|our) (?:very )?(?:old |first |original )?"
    r"(?:thread|chain|e-?mail|mail|message)|(?:reviving|resurrecting|bumping|reusing|re-using|hijacking) (?:this|the|an|our) "
    r"(?:old )?(?:thread|chain|e-?mail)|(?:vieux|ancien) (?:fil|courriel|mail|message|échange)|vieil échange|"
    r"alten? (?:thread|mail|e-mail|nachricht|verlauf)|(?:hilo|correo) (?:antiguo|viejo)|viejo (?:hilo|correo)|"
    r"(?:thread|e-?mail|fio|conversa) antig[oa]|vecchi[oa] (?:thread|mail|e-?mail|filo|conversazione|messaggio)|"
    r"oude (?:thread|mail|e-mail|draad)|star(?:y|ym|ego|ą|ej|é|ý|ou) (?:wąt|mail|wiadomoś|korespondencj|vlákn|zpráv)\w*|"
    r"eski (?:yazışma|mail|e-posta)\w*)\b|стар(?:ую|ой|ое|ом|ая|у|ій|ий|е|ому) (?:ветк|переписк|письм|цепочк|гілк|листуванн|лист)\w*|"
    r"古いスレッド|以前のメール|旧邮件|之前的邮件",
    re.IGNORECASE,
)


def reuses_old_thread(text: str) -> bool:
    """The writer says she answers on an old thread because it was at hand: what it quotes is no news of hers."""
    return bool(_OLD_THREAD.search(" ".join(text[:3000].split())))


# What is read of a reply's new text. refmail keeps its first 4,000 characters and looks in it for "stop emailing
# me"; a person's answer is far shorter, and the library's regexes over a 150 KB pasted log cost 70 ms of CPU.
REPLY_READ_CHARS = 20_000


def reply_text(text: str) -> str:
    """What the sender wrote in this reply: no quotes, no forwarded part, no signature.

    mail-parser-reply finds the signature and the quote markers it knows; our own cut runs first, because
    it knows separators and attributions in languages the library does not load (nl, it, pt, sv, ...).
    """
    head = new_text(text, below_quotes=True)[:REPLY_READ_CHARS]
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
