"""Questions to the owner: their IDs, tokens, readings as text, and what her answer says. Pure given secret and now."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses

from refmail.domain.approvals import TokenCheck, b36
from refmail.domain.mailtext import new_text, without_prefixes
from refmail.domain.types import ParsedMessage, Person, Reading

QUESTION_SUBJECT = "[refmail] Question: "
TOKEN_LIFETIME = timedelta(days=30)
# refmail.question.<question id>.<issued, unix seconds in base 36>.<token>@domain
_REF = re.compile(r"refmail\.question\.([a-z0-9]{1,16})\.([0-9a-z]{1,10})\.([a-z2-7]{26})@", re.IGNORECASE)
_TOKEN_CHARS = 26


def question_ids(message_id: str) -> tuple[str, ...]:
    """Short, stable IDs for the question about one message: longer ones when a short one is taken."""
    digest = hashlib.sha256(message_id.encode()).hexdigest()
    return tuple("q" + digest[:n] for n in (5, 7, 9, 12, 15))


def token(secret: bytes, question_id: str, owner_email: str, issued: datetime) -> str:
    """HMAC-SHA256 over "question", the ID, the owner and the issue time: no approval token can pass for it."""
    msg = f"question\x00{question_id}\x00{owner_email.lower()}\x00{int(issued.timestamp())}".encode()
    return base64.b32encode(hmac.new(secret, msg, hashlib.sha256).digest()).decode().lower()[:_TOKEN_CHARS]


def question_message_id(secret: bytes, question_id: str, owner_email: str, issued: datetime, domain: str) -> str:
    issued = issued.replace(microsecond=0)
    tok = token(secret, question_id, owner_email, issued)
    return f"refmail.question.{question_id}.{b36(int(issued.timestamp()))}.{tok}@{domain}"


@dataclass(frozen=True)
class QuestionRef:
    question_id: str
    issued: datetime
    token: str


def _parse_ref(match: re.Match[str]) -> QuestionRef | None:
    try:
        return QuestionRef(match.group(1).lower(), datetime.fromtimestamp(int(match.group(2), 36), UTC),
                           match.group(3).lower())
    except (ValueError, OverflowError, OSError):
        return None


def find_refs(parsed: ParsedMessage) -> tuple[QuestionRef, ...]:
    """Question references in the thread headers, then quoted in the body, nearest first."""
    found = [_parse_ref(mm) for mid in parsed.thread_ids for mm in _REF.finditer(mid + "@")]
    found += [_parse_ref(mm) for mm in _REF.finditer(parsed.text)]
    return tuple(ref for ref in dict.fromkeys(found) if ref is not None)


def check(ref: QuestionRef, secret: bytes, owner_email: str, now: datetime) -> TokenCheck:
    if not hmac.compare_digest(token(secret, ref.question_id, owner_email, ref.issued), ref.token):
        return TokenCheck.FORGED
    if now - ref.issued > TOKEN_LIFETIME or ref.issued - now > timedelta(days=1):
        return TokenCheck.EXPIRED
    return TokenCheck.VALID


def find_token(parsed: ParsedMessage, secret: bytes, owner_email: str,
               now: datetime) -> tuple[QuestionRef, TokenCheck] | None:
    """The first valid reference, else the first one found (with why it fails), else None."""
    checked = [(ref, check(ref, secret, owner_email, now)) for ref in find_refs(parsed)]
    return next((c for c in checked if c[1] is TokenCheck.VALID), checked[0] if checked else None)


def looks_like_answer(parsed: ParsedMessage) -> bool:
    subject = without_prefixes(parsed.subject)
    return subject.startswith(QUESTION_SUBJECT.strip()) or bool(find_refs(parsed))


# ---- readings as text ---------------------------------------------------------


def _who(p: Person) -> str:
    return f"{p.name} <{p.email}>" if p.name else p.email


def reading_line(reading: Reading) -> str:
    """ "Alice Source introduced you to Carol Prospect <carol@example.net>", or the owner's own intro."""
    people = " and ".join(_who(p) for p in reading.prospects) or "someone refmail could not name"
    if reading.owner_is_referrer:
        return f"you introduced {people} to each other" if len(reading.prospects) > 1 else \
            f"you introduced {people} to someone"
    by = (reading.referrer.name or reading.referrer.email) if reading.referrer else "someone"
    return f"{by} introduced you to {people}"


def reading_to_json(r: Reading) -> dict:
    """What the store keeps of a reading: enough to create the referral exactly as detection would."""
    return {"referrer": r.referrer.as_dict() if r.referrer else None, "prospects": [p.as_dict() for p in r.prospects],
            "score": r.score, "owner_is_referrer": r.owner_is_referrer, "intro_message_id": r.intro_message_id,
            "context": r.context, "urgency": r.urgency.value if r.urgency else None}


def reading_from_json(d: dict) -> Reading:
    from refmail.domain.types import Urgency

    ref = d.get("referrer")
    return Reading(Person(ref["name"], ref["email"]) if ref else None,
                   tuple(Person(p["name"], p["email"]) for p in d.get("prospects", ())), float(d.get("score", 0.0)),
                   bool(d.get("owner_is_referrer")), d.get("intro_message_id"), d.get("context") or "",
                   Urgency(d["urgency"]) if d.get("urgency") else None)


# ---- her answer ---------------------------------------------------------------


class AnswerKind(enum.StrEnum):
    PICK = "pick"  # one of the numbered readings
    NO = "no"  # not an intro
    GIVEN = "given"  # her own referrer: / prospect: lines
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    number: int = 0
    referrer: Person | None = None
    prospects: tuple[Person, ...] = ()
    why: str = ""


_PICK = re.compile(r"^\s*(?:#|no\.\s*|number\s+|option\s+|reading\s+)?(\d{1,2})\s*[.)!]?\s*$", re.IGNORECASE)
_NO = re.compile(r"^\s*(?:no|nope|none|neither|not an intro(?:duction)?|not an introduction)\b[\s.!]*",
                 re.IGNORECASE)
_LINE = re.compile(r"^\s*(referrer|prospects?)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def person_of(text: str) -> Person | None:
    """ "carol@x.net" or "Carol Prospect <carol@x.net>" -> a Person; anything else (two addresses, junk) -> None."""
    found = [(n, a) for n, a in getaddresses([text]) if a]
    if len(found) != 1 or not _EMAIL.match(found[0][1]):
        return None
    name, address = found[0]
    return Person(" ".join(name.split())[:200], address.lower())


def given(referrer: str, prospects: list[str]) -> Answer:
    """referrer: / prospect: values (from her email or the command line) as an answer, or why they are unclear."""
    ref = person_of(referrer)
    people = [person_of(p) for p in prospects]
    if ref is None:
        return Answer(AnswerKind.UNCLEAR, why=f"referrer {referrer!r} is not one email address")
    bad = [p for p, person in zip(prospects, people) if person is None]
    if bad or not people:
        return Answer(AnswerKind.UNCLEAR, why=f"prospect {bad[0]!r} is not one email address" if bad
                      else "no prospect: line")
    return Answer(AnswerKind.GIVEN, referrer=ref, prospects=tuple(dict.fromkeys(p for p in people if p)))


def read_answer(text: str, readings: int) -> Answer:
    """A number, "no", or referrer:/prospect: lines, above the quoted question; anything else is unclear."""
    fresh = new_text(text)
    lines = [ln.strip() for ln in fresh.split("\n") if ln.strip()]
    if not lines:
        return Answer(AnswerKind.UNCLEAR, why="no answer above the quoted question")
    pairs = [m.groups() for m in (_LINE.match(ln) for ln in lines) if m]
    if pairs:
        refs = [v for k, v in pairs if k.lower() == "referrer"]
        prospects = [part for k, v in pairs if k.lower().startswith("prospect") for part in _split(v)]
        if len(refs) != 1:
            return Answer(AnswerKind.UNCLEAR, why="expected one referrer: line and one or more prospect: lines")
        return given(refs[0], prospects)
    first = lines[0]
    pick = _PICK.match(first)
    if pick:
        number = int(pick.group(1))
        if not 1 <= number <= readings:
            return Answer(AnswerKind.UNCLEAR, why=f"there is no reading {number}")
        return Answer(AnswerKind.PICK, number=number)
    if _NO.match(first) and len(fresh.split()) <= 6:
        return Answer(AnswerKind.NO)
    return Answer(AnswerKind.UNCLEAR, why="answer with a reading's number, 'no', or referrer: and prospect: lines")


def _split(value: str) -> list[str]:
    """ "a@x, Bob <b@y>" -> each address (a prospect: line may list several)."""
    return [f"{n} <{a}>" if n else a for n, a in getaddresses([value]) if a] or [value]
