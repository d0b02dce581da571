"""`refmail resolve ID sent|resend`: the owner settles a draft whose sending could not be confirmed."""

from __future__ import annotations

import enum

from refmail.app.outbox import RESEND, decide, move, new_draft
from refmail.app.transitions import record
from refmail.domain.cadence import next_send_time
from refmail.domain.drafting import draft_ids, outgoing_message_id
from refmail.domain.outbox import DraftEvent, allows
from refmail.domain.kinds import DraftKind
from refmail.errors import DecisionError
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App


class Verdict(enum.StrEnum):
    SENT = "sent"  # it arrived (she saw it in the recipient's reply or her Sent folder): just clear the flag
    RESEND = "resend"  # it did not: send it again, under a new Message-ID


def resolve(app: App, draft_id: str, verdict: Verdict) -> str:
    """Only the owner's word ever sends an unconfirmed message again; refmail itself assumed it went out."""
    now = app.clock.now()
    with app.sessions.begin() as s:
        draft = q.find_draft(s, draft_id)
        if draft is None:
            raise DecisionError(f"no draft {draft_id!r} (see `refmail drafts --all`)")
        q.lock_referral(s, draft.referral_id)
        s.refresh(draft, with_for_update=True)
        if not allows(draft.status, DraftEvent.CONFIRMED):  # only 'uncertain' is there to settle
            raise DecisionError(f"draft {draft.id} is {draft.status}: there is nothing to settle")
        if verdict is Verdict.SENT:
            move(draft, DraftEvent.CONFIRMED)
            draft.last_error = None
            record(s, draft.referral_id, now, "draft", f"{draft.kind} {draft.id} confirmed sent by the owner",
                   draft_id=draft.id)
            return f"{draft.id} recorded as sent"
        again = _copy(s, app, draft)
        decide(draft, DraftEvent.RESENT, now, "owner")
        draft.last_error = f"did not arrive (the owner said so): sent again as {again.id}"
        record(s, draft.referral_id, now, "draft",
               f"{draft.kind} {draft.id} did not arrive (owner): sent again as {again.id}, new Message-ID",
               draft_id=again.id, replaces=draft.id)
        return f"{draft.id} will be sent again as {again.id}: it goes out {again.next_attempt_at:%Y-%m-%d %H:%M} UTC or later"


def _copy(s, app: App, lost: m.Draft) -> m.Draft:  # type: ignore[no-untyped-def]
    """The same text to the same people, approved, under a new ID and so a new Message-ID: a server that
    did take the first one must not drop the second as a duplicate."""
    now = app.clock.now()
    seq = q.draft_count(s, lost.referral_id, lost.kind)
    did = next(c for c in draft_ids(lost.referral_id, DraftKind(lost.kind), seq) if s.get(m.Draft, c) is None)
    again = new_draft(
        id=did, referral_id=lost.referral_id, kind=lost.kind, to=list(lost.to), cc=list(lost.cc),
        bcc=list(lost.bcc or []),  # the referrer in BCC of a resent first touch too (issue 10)
        subject=lost.subject, body=lost.body, original_body=lost.original_body,
        message_id=outgoing_message_id(did, app.identity.owner.email, app.secret),
        in_reply_to=lost.in_reply_to, references=list(lost.references), due_at=now, created_at=now, attempts=0,
        next_attempt_at=next_send_time(now, app.rules),
    )
    decide(again, DraftEvent.APPROVED, now, RESEND)
    s.add(again)
    q.link_thread(s, again.message_id, lost.referral_id)
    return again
