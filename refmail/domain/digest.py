"""A snapshot of the store -> the digest's sections, headline and subject: what the owner reads each morning."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

SUBJECT_PREFIX = "[refmail] Digest"


class SectionKind(enum.StrEnum):
    AWAITING = "awaiting"
    QUESTIONS = "questions"
    POSSIBLE = "possible"
    REPLIES = "replies"
    WHOSE = "whose"
    MEETINGS = "meetings"
    SENT = "sent"
    DUE = "due"
    ESCALATED = "escalated"
    STALLED = "stalled"
    UNCONFIRMED = "unconfirmed"
    PROBLEMS = "problems"
    REFUSED = "refused"
    NOT_INTROS = "not_intros"
    QUARANTINED = "quarantined"


TITLES = {
    SectionKind.AWAITING: "Awaiting your approval",
    SectionKind.QUESTIONS: "Questions for you",
    SectionKind.POSSIBLE: "Possible intros",
    SectionKind.REPLIES: "Replies received",
    SectionKind.WHOSE: "Replies on a group intro: whose?",
    SectionKind.MEETINGS: "Looks like a meeting",
    SectionKind.SENT: "Sent since the last digest",
    SectionKind.DUE: "Due today",
    SectionKind.ESCALATED: "Escalated to the referrer",
    SectionKind.STALLED: "Stalled or closed",
    SectionKind.UNCONFIRMED: "Sent, but not confirmed",
    SectionKind.PROBLEMS: "Problems with sending",
    SectionKind.REFUSED: "Refused approval attempts",
    SectionKind.NOT_INTROS: "Handed to refmail, not introductions",
    SectionKind.QUARANTINED: "Messages refmail could not read",
}
# Sections that alone make a digest worth sending; the source table is context, not news.
NEWS = frozenset(SectionKind)


@dataclass(frozen=True)
class Item:
    """One line of a section: a headline, a detail line, and what to do about it (when there is something)."""

    headline: str
    detail: str = ""
    hint: str = ""
    ref: str = ""  # referral or draft ID, for the CLI
    at: datetime | None = None
    quote: str = ""


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    items: tuple[Item, ...]

    @property
    def title(self) -> str:
        return TITLES[self.kind]


@dataclass(frozen=True)
class SourceRow:
    name: str
    email: str
    intros: int
    replied: int
    met: int
    won: int
    intros_made: int = 0  # intros the owner made for them (reciprocity)
    you_owe: bool = False  # their intro became a meeting or a win, and nothing went back to them since

    @property
    def label(self) -> str:
        return self.name or self.email


@dataclass(frozen=True)
class Snapshot:
    """Everything the digest may say, gathered by the app in one read; values from email are raw here."""

    day: date
    now: datetime
    since: datetime | None
    items: dict[SectionKind, tuple[Item, ...]] = field(default_factory=dict)
    sources: tuple[SourceRow, ...] = ()


@dataclass(frozen=True)
class Digest:
    day: date
    subject: str
    headline: str
    sections: tuple[Section, ...]
    sources: tuple[SourceRow, ...]
    since: datetime | None

    @property
    def owed(self) -> tuple[SourceRow, ...]:
        """The "You owe" list: people to thank, update, or introduce someone to."""
        return tuple(r for r in self.sources if r.you_owe)

    @property
    def has_news(self) -> bool:
        return any(s.kind in NEWS and s.items for s in self.sections)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def headline(snapshot: Snapshot) -> str:
    """The counts that matter most, for the subject and the top of the digest."""
    get = lambda k: len(snapshot.items.get(k, ()))  # noqa: E731
    parts = []
    if get(SectionKind.AWAITING):
        parts.append(_count(get(SectionKind.AWAITING), "draft to approve", "drafts to approve"))
    if get(SectionKind.QUESTIONS):
        parts.append(_count(get(SectionKind.QUESTIONS), "question", "questions"))
    if get(SectionKind.POSSIBLE):
        parts.append(_count(get(SectionKind.POSSIBLE), "possible intro", "possible intros"))
    if get(SectionKind.REPLIES):
        parts.append(_count(get(SectionKind.REPLIES), "reply", "replies"))
    if get(SectionKind.WHOSE):
        parts.append(_count(get(SectionKind.WHOSE), "reply to place", "replies to place"))
    if get(SectionKind.MEETINGS):
        parts.append(_count(get(SectionKind.MEETINGS), "likely meeting", "likely meetings"))
    if get(SectionKind.SENT):
        parts.append(f"{get(SectionKind.SENT)} sent")
    if get(SectionKind.DUE):
        parts.append(f"{get(SectionKind.DUE)} due today")
    if get(SectionKind.ESCALATED):
        parts.append(f"{get(SectionKind.ESCALATED)} escalated")
    problems = (get(SectionKind.UNCONFIRMED) + get(SectionKind.PROBLEMS) + get(SectionKind.REFUSED)
                + get(SectionKind.QUARANTINED))
    if problems:
        parts.append(_count(problems, "problem", "problems"))
    return ", ".join(parts) or "nothing new"


def build(snapshot: Snapshot) -> Digest:
    sections = tuple(Section(kind, snapshot.items[kind]) for kind in SectionKind if snapshot.items.get(kind))
    head = headline(snapshot)
    subject = f"{SUBJECT_PREFIX} {snapshot.day:%a %d %b %Y}: {head}"
    return Digest(snapshot.day, subject, head, sections, snapshot.sources, snapshot.since)


def local_time(at: datetime, zone: tzinfo) -> str:
    return f"{at.astimezone(zone):%a %d %b %H:%M}"


def snippet(text: str, limit: int = 240) -> str:
    """The first words of a reply, on one line, for a glance."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
