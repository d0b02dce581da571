"""Steps that set mail aside before intro detection: our own mail, bounces, autoreplies, bulk mail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from refmail.domain.returndate import is_permanent, return_date
from refmail.domain.scanning import ADDRESS
from refmail.domain.types import Identity, Kind, ParsedMessage


@dataclass(frozen=True)
class Screened:
    """Why a message is not a candidate intro, with what the app needs to act on it."""

    kind: Kind
    reason: str
    return_date: date | None = None
    permanent: bool = False
    failed_addresses: tuple[str, ...] = ()


_DAEMON = re.compile(
    r"^(mailer-daemon|mailer_daemon|maildaemon|postmaster|mail-delivery-subsystem|mailerdaemon|"
    r"bounces?|mdaemon|mail[._-]?delivery([._-]system|[._-]subsystem)?|nobody|root|double-bounce|daemon|"
    r"post_master|no-?reply|"
    r"[\w.-]*-(admin|bounces?|owner|request))([+-].*)?$",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status notification|failure|failed|problem|report|notification)|"
    r"returned mail|failure notice|mail delivery (failed|failure|system|subsystem)|could not be delivered|"
    r"delivery has failed|non[- ]?remis|unzustellbar|nicht zustellbar|no se (pudo|puede) entregar|"
    r"rejected|mail system error|message not delivered|returned to sender|delivery notification|"
    r"warning: could not send|delayed mail|delivery delayed|not delivered|bounce|nondeliverable|"
    r"permanent error|mail failure|error sending|delivery incomplete|notice of delivery failure",
    re.IGNORECASE,
)
_BOUNCE_BODY = re.compile(
    r"permanent fatal errors|could not be delivered|undeliverable|user unknown|unknown user|"
    r"mailbox (is )?(unavailable|full|not found|disabled)|no such (user|mailbox|address|recipient)|"
    r"address rejected|recipient address rejected|this is the mail system at host|"
    r"delivery to the following recipient|following address(es)? failed|failed permanently|"
    r"\b5\.\d\.\d{1,3}\b|\b550[ -]|\b554[ -]|\b553[ -]|message could not be delivered|"
    r"returned to the sender|delivery has failed|was not delivered|unable to deliver|couldn't be delivered|"
    r"does not exist|rejected your message|delivery attempts will continue|has been delayed|"
    r"hop count exceeded|quota exceeded|over quota|host unknown|domain not found|"
    r"\"?bouncetype\"?\s*[:=]|\"notificationtype\"\s*:\s*\"bounce|not (a )?member|"
    r"error sending your mail|delivery failure|failed to deliver|could not deliver|message rejected",
    re.IGNORECASE,
)
_OOO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|automatische antwort|abwesenheit|"
    r"out of (the )?office|ooo\b|réponse automatique|r[ée]ponse automatique|absent|absence|"
    r"respuesta autom[áa]tica|fuera de la oficina|ausente|vacation|away from|on leave|on holiday|"
    r"i am away|i'm away|urlaub|congés|vacaciones|no longer (with|at)|mailbox not monitored|"
    r"risposta automatica|fuori (?:ufficio|sede)|assente|automatisch antwoord|afwezig|niet aanwezig|buiten kantoor|"
    # Outlook's and the big webmails' "Automatic reply:" in the other languages they ship in
    r"автоответ|автоматический ответ|автоматична відповідь|автоматичен отговор|automatisk svar|automatiskt svar|"
    r"automaattinen vastaus|sjálfvirkt svar|odpowiedź automatyczna|automatická odpověď|automatická odpoveď|"
    r"automatikus válasz|răspuns automat|automatski odgovor|samodejni odgovor|otomatik yanıt|otomatik cevap|"
    r"resposta autom[áa]tica|αυτόματη απάντηση|trả lời tự động|balasan otomatis|"
    r"balasan automatik|תשובה אוטומטית|رد تلقائي|自動応答|自动答复|自动回复|自動回覆|자동 회신|자동 응답|ตอบกลับอัตโนมัติ)",
    re.IGNORECASE,
)
_OOO_BODY = re.compile(
    r"\b(out of (the )?office|i am (currently )?away|i'm (currently )?away|i am on (vacation|holiday|leave)|"
    r"i'm on (vacation|holiday|leave)|on (annual|parental|maternity|paternity|sick) leave|"
    r"limited access to (my )?e-?mail|will (respond|reply|get back to you) (to your (e-?mail|message) )?(when|upon|as soon as)|"
    r"nicht im büro|abwesend|außer haus|im urlaub|keinen zugriff auf (meine )?e-?mails|"
    r"je suis absent|absente? du bureau|en congés?|actuellement absent|"
    r"estoy fuera|estaré fuera|fuera de la oficina|de vacaciones|ausente|"
    r"sono fuori (?:ufficio|sede)|sarò assente|non sono in ufficio|in ferie|"
    r"ben (?:ik )?(?:niet aanwezig|afwezig|op vakantie)|buiten kantoor|niet op kantoor)",
    re.IGNORECASE,
)
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder", "x-vacation", "x-mailer-autoreply")


def our_own(msg: ParsedMessage, identity: Identity) -> Screened | None:
    """refmail's own outgoing mail, stamped X-Refmail by render.compose, is never input.

    The header, not the Message-ID: a draft the owner sends from her own client keeps our Message-ID but
    not the header, and must be read as her message (app.approval_mail.handle_sent).
    """
    if msg.header("X-Refmail") is not None or msg.header("X-Refmail-Kind") is not None:
        return Screened(Kind.OTHER, "our own message")
    return None


# Where a bounce's own words end and the returned copy begins. Blank space is matched within one line only:
# "\s*" at every line start of a run of empty lines would rescan the run from each of them.
_COPY_FOLLOWS = re.compile(
    r"^(?:[^\S\n]*+-++[^\S\n]*+(?:original message|the original message|message headers|this is a copy)|"
    r".*below this line is a copy|.*original message follows|received:|return-path:|content-type:)",
    re.IGNORECASE | re.MULTILINE)


def _failed_addresses(msg: ParsedMessage) -> tuple[str, ...]:
    found: list[str] = []
    for value in msg.header_all("X-Failed-Recipients"):
        found += ADDRESS.findall(value)
    for match in re.finditer(r"^(?:Final|Original)-Recipient:\s*[\w-]*;\s*<?([^\s<>;]+@[^\s<>;]+)>?",
                             msg.delivery_status, re.IGNORECASE | re.MULTILINE):
        found.append(match.group(1))
    if not found:
        head = _COPY_FOLLOWS.split(msg.text, maxsplit=1)[0]
        sender = msg.sender.email if msg.sender else ""
        for addr in ADDRESS.findall(head):
            if addr.lower() != sender and not _DAEMON.match(addr.split("@")[0]):
                found.append(addr)
    found = list(dict.fromkeys(a.lower().strip(".") for a in found))
    sent_to = {p.email for inner in msg.attached for p in inner.recipients}
    if sent_to and set(found) & sent_to:  # the returned copy says whom we wrote to: trust those
        found = [a for a in found if a in sent_to]
    return tuple(found[:10])


_ACTION = re.compile(r"^Action\s*:\s*([a-z]+)", re.IGNORECASE | re.MULTILINE)


def delay_only(msg: ParsedMessage) -> bool:
    """A delivery-status report that only says "delayed": the server is still trying, nothing failed."""
    actions = {a.lower() for a in _ACTION.findall(msg.delivery_status)}
    return bool(actions) and actions <= {"delayed", "relayed", "delivered", "expanded"}


def bounce_report(msg: ParsedMessage, identity: Identity) -> Screened | None:
    """An RFC 3464 delivery-status report (multipart/report)."""
    if msg.delivery_status and re.search(r"^(Action|Status|Final-Recipient)\s*:", msg.delivery_status,
                                         re.IGNORECASE | re.MULTILINE):
        return Screened(Kind.BOUNCE, "delivery-status report (RFC 3464)", failed_addresses=_failed_addresses(msg))
    return None


def _auto_reason(msg: ParsedMessage) -> str | None:
    auto = (msg.header("Auto-Submitted") or "").strip().lower()
    if auto and not auto.startswith(("no", "auto-forwarded")):
        return f"Auto-Submitted: {auto}"
    for name in _AUTO_HEADERS:
        if msg.header(name) is not None:
            return f"{name} header"
    precedence = (msg.header("Precedence") or msg.header("X-Precedence") or "").strip().lower()
    if precedence == "auto_reply":
        return "Precedence: auto_reply"
    if _OOO_SUBJECT.match(msg.subject):
        return "out-of-office subject"
    return None


def _autoreply(msg: ParsedMessage, reason: str) -> Screened:
    body = msg.text[:3000]
    permanent = is_permanent(msg.subject + "\n" + body)
    back = None if permanent else return_date(body, msg.date)
    if permanent:
        reason += "; permanent: the mailbox is no longer read"
    return Screened(Kind.AUTOREPLY, reason, return_date=back, permanent=permanent)


def autoreply_marked(msg: ParsedMessage, identity: Identity) -> Screened | None:
    """Auto-replies that say so in headers (RFC 3834, X-Autoreply, Precedence) or subject."""
    reason = _auto_reason(msg)
    if reason is None:
        return None
    ooo_subject = bool(_OOO_SUBJECT.match(msg.subject))
    if automated_sender(msg) and not ooo_subject:
        if _BOUNCE_SUBJECT.search(msg.subject) or _BOUNCE_BODY.search(msg.text[:4000]):
            return None  # an automated failure notice: the bounce step reads it
    # Exchange marks its automatic replies "auto-generated" too: the subject or the body says which it is.
    if reason.startswith("Auto-Submitted") and "auto-generated" in reason and not (
        ooo_subject or _OOO_BODY.search(msg.text[:1500]) or is_permanent(msg.text[:1500])
    ):
        return Screened(Kind.OTHER, "automated message (Auto-Submitted: auto-generated)")
    return _autoreply(msg, reason)


def automated_sender(msg: ParsedMessage) -> bool:
    """From a mailer daemon / postmaster / list robot, or sent with a null Return-Path."""
    return_path = (msg.header("Return-Path") or "x").strip().strip("<>")
    if not return_path or _DAEMON.match(return_path.split("@")[0]):
        return True
    if msg.sender is not None:
        return bool(_DAEMON.match(msg.sender.email.split("@")[0]))
    raw_from = (msg.header("From") or "").strip()
    return not raw_from or bool(re.search(r"mailer[-_]?daemon|postmaster|mail delivery", raw_from, re.IGNORECASE))


def bounce_notice(msg: ParsedMessage, identity: Identity) -> Screened | None:
    """Non-standard bounces: a mailer daemon's notice, or failure wording in subject and body."""
    daemon = automated_sender(msg)
    subject_says = bool(_BOUNCE_SUBJECT.search(msg.subject))
    from_ours = msg.sender is not None and identity.is_ours(msg.sender.email)
    if from_ours or msg.in_reply_to and not daemon or not (daemon or subject_says):
        return None
    if subject_says and daemon or _BOUNCE_BODY.search(msg.text[:5000]):
        return Screened(Kind.BOUNCE, "delivery failure notice", failed_addresses=_failed_addresses(msg))
    return None


def autoreply_text(msg: ParsedMessage, identity: Identity) -> Screened | None:
    """Unmarked out-of-office replies: a short body that opens with an away or gone notice."""
    opening = msg.text.strip()[:400]
    if len(msg.text.strip()) > 1500 or not opening:
        return None
    if msg.embedded:  # it quotes what it answers: a person wrote it ("I'm out of office next week, after?")
        return None
    if len(msg.to) + len(msg.cc) > 1:  # an away notice answers its one sender; "I am retired now" to two is a person
        return None
    if is_permanent(opening):
        return _autoreply(msg, "no-longer-here notice in the body")
    if _OOO_BODY.search(opening) and (return_date(opening, msg.date) or re.search(
            r"\b(until|return|back|urgent|zurück|bis|retour|jusqu|regres|hasta|fino|rientro|tot|terug)", opening,
            re.IGNORECASE)):
        return _autoreply(msg, "out-of-office notice in the body")
    return None


def bulk(msg: ParsedMessage, identity: Identity) -> Screened | None:
    """Newsletters and list mail: they carry List-Unsubscribe / List-Id or Precedence bulk."""
    precedence = (msg.header("Precedence") or "").strip().lower()
    if msg.header("List-Unsubscribe") or msg.header("List-Id") or precedence in ("bulk", "list", "junk"):
        return Screened(Kind.OTHER, "list or bulk mail")
    return None


STEPS = (our_own, bounce_report, autoreply_marked, bounce_notice, autoreply_text, bulk)
