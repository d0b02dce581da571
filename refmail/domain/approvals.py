"""Approval tokens and answers: who may approve a draft by email, and what she said. Pure given secret and now."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from refmail.domain.mailtext import new_text, without_prefixes
from refmail.domain.types import ParsedMessage

TOKEN_LIFETIME = timedelta(days=30)
APPROVAL_SUBJECT = "[refmail] Approve: "
# refmail.approve.<draft id>.<issued, unix seconds in base 36>.<token>@domain
_REF = re.compile(r"refmail\.approve\.([a-z0-9-]{1,16})\.([0-9a-z]{1,10})\.([a-z2-7]{26})@", re.IGNORECASE)
_TOKEN_CHARS = 26  # 130 bits of the HMAC: far past guessing, short enough for a Message-ID


class TokenCheck(enum.StrEnum):
    VALID = "valid"
    FORGED = "token does not match the draft"
    EXPIRED = "token expired"


class AnswerKind(enum.StrEnum):
    SEND = "send"
    SKIP = "skip"
    EDIT = "edit"
    EMPTY = "empty"
    UNCLEAR = "unclear"  # neither a plain send/skip nor a message: refused, never sent to a prospect


class Authenticity(enum.StrEnum):
    PASS = "pass"  # nothing says it failed (no header, or pass/none/neutral)
    FAILED = "failed"


@dataclass(frozen=True)
class ApprovalRef:
    """What an approval Message-ID (or its quoted copy) carries."""

    draft_id: str
    issued: datetime
    token: str


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    body: str = ""


def b36(n: int) -> str:
    """Seconds in a Message-ID, short: shared by approval and question codes."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def token(secret: bytes, draft_id: str, owner_email: str, issued: datetime) -> str:
    """HMAC-SHA256 over draft, owner and issue time: only the approval email ever carried it."""
    seconds = int(issued.timestamp())
    msg = f"approve\x00{draft_id}\x00{owner_email.lower()}\x00{seconds}".encode()
    digest = hmac.new(secret, msg, hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:_TOKEN_CHARS]


def approval_message_id(secret: bytes, draft_id: str, owner_email: str, issued: datetime, domain: str) -> str:
    """Message-ID of the approval email (no brackets): replies carry it back in In-Reply-To/References."""
    issued = issued.replace(microsecond=0)
    tok = token(secret, draft_id, owner_email, issued)
    return f"refmail.approve.{draft_id}.{b36(int(issued.timestamp()))}.{tok}@{domain}"


def _parse_ref(match: re.Match[str]) -> ApprovalRef | None:
    draft_id, issued, tok = match.group(1), match.group(2), match.group(3)
    try:
        return ApprovalRef(draft_id, datetime.fromtimestamp(int(issued, 36), UTC), tok.lower())
    except (ValueError, OverflowError, OSError):  # a crafted time stamp out of range: not ours
        return None


def find_refs(parsed: ParsedMessage) -> tuple[ApprovalRef, ...]:
    """Every approval reference in the thread headers, then in the body (a quoted copy), nearest first."""
    found: list[ApprovalRef | None] = []
    for mid in parsed.thread_ids:
        found += [_parse_ref(mm) for mm in _REF.finditer(mid + "@")]
    found += [_parse_ref(mm) for mm in _REF.finditer(parsed.text)]
    return tuple(ref for ref in dict.fromkeys(found) if ref is not None)


def check(ref: ApprovalRef, secret: bytes, owner_email: str, now: datetime) -> TokenCheck:
    expected = token(secret, ref.draft_id, owner_email, ref.issued)
    if not hmac.compare_digest(expected, ref.token):
        return TokenCheck.FORGED
    if now - ref.issued > TOKEN_LIFETIME or ref.issued - now > timedelta(days=1):
        return TokenCheck.EXPIRED
    return TokenCheck.VALID


def find_token(
    parsed: ParsedMessage, secret: bytes, owner_email: str, now: datetime
) -> tuple[ApprovalRef, TokenCheck] | None:
    """The first valid approval reference, else the first one found (with why it fails), else None."""
    refs = find_refs(parsed)
    if not refs:
        return None
    checked = [(ref, check(ref, secret, owner_email, now)) for ref in refs]
    for ref, verdict in checked:
        if verdict is TokenCheck.VALID:
            return ref, verdict
    return checked[0]


def looks_like_approval(parsed: ParsedMessage) -> bool:
    """An answer to an approval email by its subject, even when it carries no token (a forgery to report)."""
    subject = without_prefixes(parsed.subject)
    return subject.startswith(APPROVAL_SUBJECT.strip()) or bool(find_refs(parsed))


# ---- the answer -----------------------------------------------------------

# A plain answer opens with one of these; the skip words are tried first ("don't send" is no send).
_SKIP_START = re.compile(r"^(?:(?:please )?(?:don't|dont|do not) send|no(?! (?:problem|prob|worries|issue|doubt))|"
                         r"nope|nah|skip|reject|cancel|not (?:this|now|yet))\b", re.IGNORECASE)
_SEND_START = re.compile(r"^(?:yes|yep|yeah|y|send|ok|okay|k|approve|approved|go|go ahead|looks good|lgtm|sure|"
                         r"perfect|great|fine|\U0001F44D)(?:\W|$)", re.IGNORECASE)
# Words that turn "ok" into "ok, but ...": a change she wants, which refmail must not guess at.
_QUALIFIER = re.compile(r"\b(?:but|except|change|instead|however|unless|only|wait|edit|fix|ps|p\.s|first|"
                        r"before|after|remove|add|replace|typo|correct|not)\b", re.IGNORECASE)
_GREETING = re.compile(r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hallo|bonjour|hola)\b", re.IGNORECASE)
SHORT_ANSWER_WORDS = 6  # "yes please, send it" fits; a change of plan rarely does
MIN_MESSAGE_WORDS = 8  # under this, text without a greeting is no message to a prospect


def _without_signoff(text: str, signoff_names: tuple[str, ...]) -> str:
    """`text` up to its last line that is just her name: an undelimited signature (Outlook's) is not an answer."""
    names = {" ".join(n.split()).lower() for n in signoff_names if n.strip()}
    lines = text.split("\n")
    for i in range(len(lines) - 1, -1, -1):
        if " ".join(lines[i].strip(" -–—").split()).lower() in names:
            return "\n".join(lines[:i]).strip()
    return text


def read_answer(text: str, signoff_names: tuple[str, ...] = ()) -> Answer:
    """A short send/yes/ok -> send; a short skip/no/"don't send" -> skip; a real message -> the edited body.

    Anything else ("OK but make it Friday", "FYI", a bare signature) is UNCLEAR: refused and reported,
    because whatever is taken as an edit goes to the prospect word for word.
    """
    fresh = new_text(text).replace("\u2019", "'")
    core = _without_signoff(fresh, signoff_names)
    if not core:
        return Answer(AnswerKind.EMPTY)
    first = core.split("\n", 1)[0].strip()
    words = len(core.split())
    if _SKIP_START.match(first):
        return Answer(AnswerKind.SKIP if words <= MIN_MESSAGE_WORDS else AnswerKind.UNCLEAR)
    if _SEND_START.match(first):
        plain = words <= SHORT_ANSWER_WORDS and not _QUALIFIER.search(core)
        return Answer(AnswerKind.SEND if plain else AnswerKind.UNCLEAR)
    if _GREETING.match(first) or words >= MIN_MESSAGE_WORDS:
        return Answer(AnswerKind.EDIT, fresh + "\n")
    return Answer(AnswerKind.UNCLEAR)


# ---- authentication results ------------------------------------------------

_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*([a-z]+)((?:\s+[a-z.-]+\s*=\s*[^\s;]+)*)", re.IGNORECASE)
_PROP = re.compile(r"(?<![a-z.-])([a-z.-]++)\s*+=\s*+([^\s;]++)", re.IGNORECASE)
_FAILS = frozenset({"fail", "permerror", "softfail"})


def _strip_comments(value: str) -> str:
    """RFC 8601 allows (comments) anywhere, nested; they would hide the real method results.

    One pass with a stack of open parentheses (removing innermost pairs over and over was quadratic on
    "((((...))))"); an unclosed "(" stays, as it always did.
    """
    out: list[str] = []
    opened: list[int] = []
    for char in value:
        if char == "(":
            opened.append(len(out))
            out.append(char)
        elif char == ")" and opened:
            del out[opened.pop():]
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _domain(value: str) -> str:
    return value.strip().strip('"').rpartition("@")[2].lower().rstrip(".")


def authenticity(parsed: ParsedMessage, owner_domains: frozenset[str] | set[str]) -> tuple[Authenticity, str]:
    """Refuse when Authentication-Results says DKIM, SPF or DMARC failed for an owner domain.

    Anyone can add such a header, but a forged "fail" only gets the forger refused; a
    forged "pass" changes nothing, since the token and the From are still required.
    """
    domains = {d.lower() for d in owner_domains}
    for header in parsed.header_all("Authentication-Results"):
        body = _strip_comments(header)
        for method, result, props in _RESULT.findall(body):
            if result.lower() not in _FAILS:
                continue
            values = {k.lower(): _domain(v) for k, v in _PROP.findall(props)}
            about = {v for k, v in values.items() if k in ("header.d", "header.i", "header.from", "smtp.mailfrom",
                                                             "smtp.helo")}
            if not about or about & domains:
                return Authenticity.FAILED, f"{method.lower()}={result.lower()} for {', '.join(sorted(about & domains) or domains)}"
    return Authenticity.PASS, ""
