"""The one place a draft's status is set: born pending, then the outbox table's steps, applied to the stored row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from refmail.domain import outbox
from refmail.domain.outbox import DraftEvent, DraftStatus
from refmail.store import models as m

# decided_by of a draft the owner had sent again with `refmail resolve ID resend` (app/resolve.py).
RESEND = "resend"


def new_draft(**fields: Any) -> m.Draft:
    """Every draft is born pending; whatever it becomes after (approved by a rule, resent, her own sent
    message), it becomes through the outbox table: `decide` and `move` below."""
    return m.Draft(status=DraftStatus.PENDING, **fields)


def move(draft: m.Draft, event: DraftEvent) -> DraftStatus:
    """Step the draft by `event`; a pair the table does not allow raises InvalidDraftTransition and
    changes nothing. Leaving 'sending' ends the worker's lease: the attempt is over, whatever its end."""
    was = DraftStatus(draft.status)
    draft.status = outbox.step(was, event)
    if was is DraftStatus.SENDING:
        draft.lease_owner, draft.lease_until = None, None
    return draft.status


def decide(draft: m.Draft, event: DraftEvent, now: datetime, by: str) -> None:
    """The owner's word (or a rule's, or the lifecycle's) on a draft, with who gave it and when."""
    move(draft, event)
    draft.decided_at, draft.decided_by = now, by
