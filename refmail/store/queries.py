"""Named queries: reads worth a name (shared or subtle) and draft statuses; one-off selects stay in their use case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from refmail.domain.outbox import LIVE, OUT, DraftStatus
from refmail.domain.lifecycle import OPEN, PROSPECT_FACING, Referral as ReferralView, State
from refmail.domain.types import Person, Role, SentRef
from refmail.domain.zones import Evidence
from refmail.errors import AmbiguousId
from refmail.store import models as m

# The draft statuses under the names the queries and reports read them by; the outbox state machine
# (domain/outbox.py) owns them, and only app/outbox.py changes a draft's status.
PENDING_DRAFT, APPROVED, SENDING, SENT = DraftStatus.PENDING, DraftStatus.APPROVED, DraftStatus.SENDING, DraftStatus.SENT
REJECTED, CANCELLED, FAILED, UNCERTAIN = (DraftStatus.REJECTED, DraftStatus.CANCELLED, DraftStatus.FAILED,
                                          DraftStatus.UNCERTAIN)
SENT_AFTER_WITHDRAWAL = DraftStatus.SENT_AFTER_WITHDRAWAL
LIVE_DRAFT_STATUSES, OUT_STATUSES = LIVE, OUT

# The queries processing runs for every message are built once, with bound parameters: building a
# select() costs more than SQLite takes to run it (a backfill ran about 25 a message).


def people(rows: Sequence[dict[str, str]]) -> tuple[Person, ...]:
    """A draft's stored recipients (JSON rows) as people."""
    return tuple(Person(r.get("name", ""), r["email"]) for r in rows)


def referral_view(row: m.Referral) -> ReferralView:
    from refmail.domain.rules import Cadence  # validated rules: only a use case that steps a referral needs them

    return ReferralView(
        id=row.id,
        state=State(row.state),
        cadence=Cadence.model_validate(row.cadence),
        owner_is_referrer=row.owner_is_referrer,
        unanswered=row.unanswered,
        hold_until=row.hold_until,
    )


def _by_prefix(session: Session, model: type[m.Referral] | type[m.Draft], short_id: str):  # type: ignore[no-untyped-def]
    """By full ID or an unambiguous prefix, so users can type less; never by an empty one."""
    short_id = short_id.strip().lower()
    if not short_id:
        return None
    row = session.get(model, short_id)
    if row is not None:
        return row
    rows = session.scalars(select(model).where(model.id.startswith(short_id, autoescape=True))
                           .order_by(model.id).limit(6)).all()
    if len(rows) > 1:
        raise AmbiguousId(short_id, [r.id for r in rows])
    return rows[0] if rows else None


def find_referral(session: Session, short_id: str) -> m.Referral | None:
    return _by_prefix(session, m.Referral, short_id)


def find_draft(session: Session, short_id: str) -> m.Draft | None:
    return _by_prefix(session, m.Draft, short_id)


_LOCK = {skip: select(m.Referral).where(m.Referral.id == bindparam("rid")).with_for_update(skip_locked=skip)
         .execution_options(populate_existing=True) for skip in (False, True)}


def lock_referral(session: Session, referral_id: str, *, skip_locked: bool = False) -> m.Referral | None:
    """Lock a referral before touching its drafts or due actions.

    One lock order (the referral, then its rows) is what keeps workers sharing PostgreSQL from
    deadlocking; SQLite ignores FOR UPDATE and serialises writers itself. None: no such referral, or
    (skip_locked) another worker holds it right now.
    """
    return session.scalars(_LOCK[skip_locked], {"rid": referral_id}).first()


def parties(session: Session, referral_id: str, role: Role) -> list[Person]:
    """The referral's people in one role, the credited first (then in the order they were added)."""
    return parties_of(session, [referral_id]).get((referral_id, role), [])


_PARTIES_OF = (select(m.Party.referral_id, m.Party.role, m.Party.name, m.Party.email, m.Party.credited)
               .where(m.Party.referral_id.in_(bindparam("ids", expanding=True))).order_by(m.Party.id))


def parties_of(session: Session, referral_ids: Sequence[str]) -> dict[tuple[str, str], list[Person]]:
    """parties() of many referrals and both roles in one query: {(referral ID, role): people}; absent when none."""
    if not referral_ids:
        return {}
    rows = session.execute(_PARTIES_OF, {"ids": list(dict.fromkeys(referral_ids))}).all()
    out: dict[tuple[str, str], list[Person]] = {}
    for credited in (True, False):
        for rid, role, name, email, is_credited in rows:
            if bool(is_credited) is credited:
                out.setdefault((rid, role), []).append(Person(name, email))
    return out


_OPEN_WITH = (select(m.Party.email, m.Referral).join(m.Party, m.Party.referral_id == m.Referral.id)
              .where(m.Party.email.in_(bindparam("emails", expanding=True)), m.Party.role == bindparam("role"),
                     m.Referral.state.in_(bindparam("states", expanding=True)))
              .order_by(m.Referral.created_at))


def open_referrals_of(
    session: Session, emails: Sequence[str], role: Role = Role.PROSPECT, states: frozenset[State] = OPEN
) -> dict[str, list[m.Referral]]:
    """open_referrals_with() of many people in one query: {address as given: referrals, oldest first}; absent
    when none. Addresses are stored lower-cased; the caller's spelling keys the answer."""
    wanted = list(dict.fromkeys(e.lower() for e in emails))
    if not wanted:
        return {}
    found: dict[str, list[m.Referral]] = {}
    for email, ref in session.execute(
            _OPEN_WITH, {"emails": wanted, "role": role, "states": [s.value for s in states]}).all():
        if ref not in found.setdefault(email, []):
            found[email].append(ref)
    return {e: found[e.lower()] for e in emails if e.lower() in found}


def open_referrals_with(
    session: Session, email: str, role: Role = Role.PROSPECT, states: frozenset[State] = OPEN
) -> list[m.Referral]:
    return open_referrals_of(session, [email], role, states).get(email, [])


def opted_out(session: Session, emails: Sequence[str]) -> list[str]:
    """People who asked not to be contacted, on any referral: a new intro never overrides that."""
    out = open_referrals_of(session, emails, states=frozenset({State.DO_NOT_CONTACT}))
    return [e for e in emails if e in out]


def referrals_by_thread(session: Session, message_ids: Sequence[str]) -> list[str]:
    by_id = thread_links(session, message_ids)
    return list(dict.fromkeys(by_id[mid] for mid in message_ids if mid in by_id))


_THREAD_LINKS = (select(m.ThreadLink.message_id, m.ThreadLink.referral_id)
                 .where(m.ThreadLink.message_id.in_(bindparam("mids", expanding=True))))


def thread_links(session: Session, message_ids: Sequence[str]) -> dict[str, str]:
    """{Message-ID: referral ID} of these messages that are linked to a referral."""
    if not message_ids:
        return {}
    return {mid: rid for mid, rid in session.execute(_THREAD_LINKS, {"mids": list(message_ids)}).all()}


_DRAFTS_UNDER = (select(m.Draft.message_id, m.Draft.referral_id, m.Draft.status, m.Draft.kind)
                 .where(m.Draft.message_id.in_(bindparam("mids", expanding=True))))


def drafts_under(session: Session, message_ids: Sequence[str]) -> list[tuple[str, str, DraftStatus, str]]:
    """(Message-ID, referral ID, status, kind) of the drafts sent or to be sent under these Message-IDs."""
    return [tuple(row) for row in session.execute(_DRAFTS_UNDER, {"mids": list(message_ids)}).all()]  # type: ignore[misc]


def link_thread(session: Session, message_id: str, referral_id: str) -> None:
    if message_id and session.get(m.ThreadLink, message_id) is None:
        session.add(m.ThreadLink(message_id=message_id, referral_id=referral_id))


def link_threads(session: Session, message_ids: Sequence[str], referral_id: str) -> None:
    """link_thread for several Message-IDs (an intro and the message that carried it, often the same one)."""
    wanted = [mid for mid in dict.fromkeys(message_ids) if mid]
    if len(wanted) == 1:
        link_thread(session, wanted[0], referral_id)
        return
    linked = set(session.scalars(select(m.ThreadLink.message_id).where(m.ThreadLink.message_id.in_(wanted))))
    session.add_all(m.ThreadLink(message_id=mid, referral_id=referral_id) for mid in wanted if mid not in linked)


_DRAFT_IDS = select(m.Draft.id).where(m.Draft.referral_id == bindparam("rid"), m.Draft.kind == bindparam("kind"))


def draft_count(session: Session, referral_id: str, kind: str) -> int:
    return len(session.scalars(_DRAFT_IDS, {"rid": referral_id, "kind": kind}).all())


_SENT_DRAFT = (select(m.Draft)
               .where(m.Draft.referral_id == bindparam("rid"), m.Draft.kind == bindparam("kind"),
                      m.Draft.status.in_(OUT_STATUSES))
               .order_by(m.Draft.sent_at)
               .limit(1))


def sent_draft(session: Session, referral_id: str, kind: str) -> m.Draft | None:
    return session.scalars(_SENT_DRAFT, {"rid": referral_id, "kind": kind}).first()


def zone_evidence(session: Session, emails: Sequence[str]) -> Evidence | None:
    """The UTC offset of the latest mail these people wrote themselves (From them, a numeric zone)."""
    if not emails:
        return None
    rows = session.execute(
        select(m.Message.utc_offset, m.Message.received_at)
        .where(m.Message.sender.in_(list(emails)), m.Message.utc_offset.is_not(None))
        .order_by(m.Message.received_at.desc(), m.Message.id.desc())
    ).all()
    if not rows:
        return None
    return Evidence(rows[0][0], rows[0][1], len(rows))


def first_touch_ref(session: Session, referral_id: str) -> SentRef | None:
    row = sent_draft(session, referral_id, "first_touch")
    return SentRef(row.message_id, row.subject, row.body, row.sent_at) if row else None


def live_drafts(session: Session, referral_id: str) -> list[m.Draft]:
    return list(
        session.scalars(
            select(m.Draft).where(m.Draft.referral_id == referral_id, m.Draft.status.in_(LIVE_DRAFT_STATUSES))
        )
    )


def drafts_awaiting(session: Session) -> list[m.Draft]:
    return list(session.scalars(select(m.Draft).where(m.Draft.status == PENDING_DRAFT).order_by(m.Draft.created_at)))


def outbox_ready(session: Session, now: datetime, limit: int = 100) -> list[tuple[str, str]]:
    """(draft ID, referral ID) of approved drafts whose time has come (index ix_drafts_outbox)."""
    return list(
        session.execute(
            select(m.Draft.id, m.Draft.referral_id)
            # next_attempt_at is always set on approval: a plain range keeps ix_drafts_outbox usable.
            .where(m.Draft.status == APPROVED, m.Draft.next_attempt_at <= now)
            .order_by(m.Draft.next_attempt_at)  # the index's own order: no sort step
            .limit(limit)
        ).all()
    )


def due_action_ids(session: Session, now: datetime, limit: int = 500) -> list[tuple[int, str]]:
    """(action ID, referral ID) of pending due actions, via the (done_at, due_at) index: never a scan of history."""
    return list(
        session.execute(
            select(m.DueAction.id, m.DueAction.referral_id)
            .where(m.DueAction.done_at.is_(None), m.DueAction.due_at <= now)
            .order_by(m.DueAction.due_at)
            .limit(limit)
        ).all()
    )


def next_due(session: Session, referral_id: str) -> m.DueAction | None:
    return session.scalars(
        select(m.DueAction)
        .where(m.DueAction.referral_id == referral_id, m.DueAction.done_at.is_(None))
        .order_by(m.DueAction.due_at)
        .limit(1)
    ).first()


def cancel_due(session: Session, referral_id: str, now: datetime) -> None:
    session.execute(
        update(m.DueAction)
        .where(m.DueAction.referral_id == referral_id, m.DueAction.done_at.is_(None))
        .values(done_at=now)
    )


def postpone_due(session: Session, referral_id: str, until: datetime) -> None:
    session.execute(
        update(m.DueAction)
        .where(
            m.DueAction.referral_id == referral_id,
            m.DueAction.done_at.is_(None),
            m.DueAction.due_at < until,
            m.DueAction.kind != "close",
        )
        .values(due_at=until)
    )


def unprocessed_message_ids(session: Session, limit: int = 1000, after: int = 0) -> list[int]:
    """The next `limit` messages waiting to be processed, past row id `after` (so a caller pages through all)."""
    return list(
        session.scalars(select(m.Message.id).where(m.Message.processed_at.is_(None), m.Message.id > after)
                        .order_by(m.Message.id).limit(limit))
    )


def message_known(session: Session, message_id: str) -> bool:
    return session.scalar(select(m.Message.id).where(m.Message.message_id == message_id)) is not None


def stored_message(session: Session, message_id: str) -> tuple[int, bytes] | None:
    """(row id, raw bytes) of the message stored under this Message-ID; the bytes are empty once pruned."""
    row = session.execute(select(m.Message.id, m.Message.raw).where(m.Message.message_id == message_id)).first()
    return (row[0], row[1]) if row is not None else None


def stored_messages(session: Session, message_ids: Sequence[str]) -> dict[str, tuple[int, bytes]]:
    """stored_message for many Message-IDs in one query: {Message-ID: (row id, raw bytes)} of those stored."""
    if not message_ids:
        return {}
    rows = session.execute(select(m.Message.message_id, m.Message.id, m.Message.raw)
                           .where(m.Message.message_id.in_(list(dict.fromkeys(message_ids))))).all()
    return {mid: (rid, raw) for mid, rid, raw in rows}


def timeline(session: Session, referral_id: str) -> list[m.TimelineEntry]:
    return list(
        session.scalars(
            select(m.TimelineEntry).where(m.TimelineEntry.referral_id == referral_id).order_by(m.TimelineEntry.id)
        )
    )


_ABSENCES = select(m.Absence.until).where(and_(m.Absence.email.in_(bindparam("emails", expanding=True)),
                                                m.Absence.until > bindparam("now")))


def absence_of(session: Session, emails: Sequence[str], now: datetime) -> datetime | None:
    rows = session.scalars(_ABSENCES, {"emails": list(emails), "now": now}).all()
    return max(rows) if rows else None


_SIBLINGS = (select(m.Referral).where(m.Referral.intro_message_id == bindparam("intro"), m.Referral.id != bindparam("rid"))
             .order_by(m.Referral.id))


def siblings(session: Session, ref: m.Referral) -> list[m.Referral]:
    """The other prospects' referrals of the same group intro (each prospect has her own track)."""
    return list(session.scalars(_SIBLINGS, {"intro": ref.intro_message_id, "rid": ref.id}))


def referrals(session: Session, ids: Sequence[str]) -> list[m.Referral]:
    """The referrals with these IDs that exist, in the order given."""
    return [ref for ref in (session.get(m.Referral, rid) for rid in ids) if ref is not None]


def thread_referrals(session: Session, thread_ids: Sequence[str], linked: Sequence[str] | None = None) -> list[m.Referral]:
    """Every referral the thread touches, with the other tracks of a group intro (`linked`: the
    thread's referrals_by_thread, when the caller has read them already)."""
    out: dict[str, m.Referral] = {}
    for rid in referrals_by_thread(session, thread_ids) if linked is None else linked:
        ref = session.get(m.Referral, rid)
        if ref is not None:
            out.update((r.id, r) for r in (ref, *siblings(session, ref)))
    return list(out.values())


def alias_of(session: Session, email: str) -> str | None:
    """The address of the person who has also written from `email`, if refmail learnt that."""
    email = email.lower()
    unknown = _no_alias(session)
    if email in unknown:
        return None
    row = session.get(m.PersonAlias, email)  # one found stays in the session's identity map
    if row is None:
        unknown.add(email)
    return row.person_email if row is not None else None


_NO_ALIAS = "refmail.no_alias"


def _no_alias(session: Session) -> set[str]:
    """Addresses this transaction already found no alias for: processing asks about the same sender
    several times a message (routing, tracking, look back), and most have none. Only remember_alias
    adds one, and it forgets the address here."""
    transaction = session.get_transaction()
    kept = session.info.get(_NO_ALIAS)
    if kept is None or kept[0] is not transaction:
        kept = session.info[_NO_ALIAS] = (transaction, set())
    return kept[1]


def aliases_of(session: Session, person_email: str) -> list[str]:
    return list(session.scalars(select(m.PersonAlias.email).where(m.PersonAlias.person_email == person_email)
                                .order_by(m.PersonAlias.seen_at)))


def remember_alias(session: Session, email: str, person_email: str, referral_id: str, now: datetime) -> bool:
    """Keep `email` as another address of `person_email`; False when it was already known."""
    email, person_email = email.lower(), person_email.lower()
    if email == person_email or session.get(m.PersonAlias, email) is not None:
        return False
    _no_alias(session).discard(email)
    session.add(m.PersonAlias(email=email, person_email=person_email, referral_id=referral_id, seen_at=now))
    return True


def sent_prospect_draft(session: Session, message_id: str) -> m.Draft | None:
    """What refmail (or the owner by hand) sent a prospect under this Message-ID."""
    return session.scalars(select(m.Draft).where(
        m.Draft.message_id == message_id, m.Draft.status.in_([SENT, UNCERTAIN]),
        m.Draft.kind.in_([k.value for k in PROSPECT_FACING]))).first()
