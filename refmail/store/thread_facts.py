"""What the store knows about one message's thread and people: read once, handed to domain/routing.py."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from refmail.domain.lifecycle import OPEN, PROSPECT_FACING, State
from refmail.domain.outbox import DraftStatus
from refmail.domain.routing import ThreadFacts, Track, invitation_addresses
from refmail.domain.types import ParsedMessage, Role
from refmail.store import models as m
from refmail.store import queries as q


def thread_facts(s: Session, parsed: ParsedMessage, *, source: str = "inbox", handed: bool = False,
                 marker: str = "", meetable: Collection[State] = OPEN, recipients: bool = True) -> ThreadFacts:
    """The referrals the thread touches (with their group), the open referrals of the sender and (when
    `recipients`: mail the owner wrote) of every recipient, the nearest message of the thread that is
    refmail's, our draft by Message-ID (or by the draft header `marker` in her Sent folder), and the
    referrals an invitation could set a meeting on."""
    sender = parsed.sender.email if parsed.sender else None
    person = (q.alias_of(s, sender) or sender) if sender else None
    # Each table read once for the message, not once a referral or a question: a backfill reads
    # these facts for every message it stores.
    links = q.thread_links(s, parsed.thread_ids)
    linked = list(dict.fromkeys(links[mid] for mid in parsed.thread_ids if mid in links))
    thread_rows = q.thread_referrals(s, parsed.thread_ids, linked)
    addresses = dict.fromkeys([person] if person else []) | dict.fromkeys(
        p.email for p in (parsed.recipients if recipients else ()))
    found = q.open_referrals_of(s, list(addresses))
    open_rows = {a: found.get(a, []) for a in addresses}
    tracks = _Tracks(s, [*thread_rows, *(r for rows in open_rows.values() for r in rows)])
    thread = tuple(tracks.of(r) for r in thread_rows)
    open_with = {a: tuple(tracks.of(r) for r in rows) for a, rows in open_rows.items()}
    by_marker = bool(marker) and source == "sent" and s.get(m.Draft, marker) is not None
    drafts = q.drafts_under(s, [parsed.message_id, *parsed.thread_ids])
    by_mid = any(mid == parsed.message_id for mid, *_ in drafts)
    return ThreadFacts(source=source, handed=handed, draft_by_message_id=by_mid, draft_by_marker=by_marker,
                       sender_person=person, thread=thread, linked=tuple(linked),
                       open_with=open_with, nearest=_nearest(s, parsed.thread_ids, drafts, links),
                       meetable=_meetable(s, parsed, frozenset(meetable)))


def _meetable(s: Session, parsed: ParsedMessage, states: frozenset[State]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each address an invitation names: the person it is, and her referrals a meeting can be set on."""
    out = {}
    for address in invitation_addresses(parsed):
        who = q.alias_of(s, address) or address
        out[address] = (who, tuple(r.id for r in q.open_referrals_with(s, who, states=states)))
    return out


def _nearest(s: Session, thread_ids: tuple[str, ...], found: Sequence[tuple[str, str, DraftStatus, str]],
             links: dict[str, str]) -> tuple[str, str] | None:
    """The nearest Message-ID of the thread that is refmail's: our mail to one prospect (its Message-ID is
    keyed, only its readers know it), or any other message of a referral's thread. `found`: (Message-ID,
    referral, status, kind) of the drafts under the thread's Message-IDs (and others); `links`: the thread's."""
    if not thread_ids:
        return None
    facing = {k.value for k in PROSPECT_FACING}
    drafts = {mid: rid for mid, rid, status, kind in found
              if mid in thread_ids and status in q.OUT_STATUSES and kind in facing}
    for mid in thread_ids:  # nearest first: the message it answers says most
        if mid in drafts:
            return ("draft", drafts[mid]) if s.get(m.Referral, drafts[mid]) is not None else None
        if mid in links and s.get(m.Referral, links[mid]) is not None:
            return "thread", links[mid]
    return None


class _Tracks:
    """Referral rows as routing's Tracks, each read once."""

    def __init__(self, s: Session, rows: Sequence[m.Referral]) -> None:
        self.s = s
        self.seen: dict[str, Track] = {}
        self.people = q.parties_of(s, [r.id for r in rows])  # every row's people in one query

    def of(self, ref: m.Referral) -> Track:
        if ref.id not in self.seen:
            self.seen[ref.id] = Track(ref.id, ref.intro_message_id, self._emails(ref.id, Role.PROSPECT),
                                      self._emails(ref.id, Role.REFERRER))
        return self.seen[ref.id]

    def _emails(self, rid: str, role: Role) -> frozenset[str]:
        return frozenset(p.email for p in self.people.get((rid, role), ()))
