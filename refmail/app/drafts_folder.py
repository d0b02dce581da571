"""Drafts-folder mode: her Drafts folder holds only drafts still waiting for her, never a stale one to send."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from refmail.app.transitions import record
from refmail.mail.ports import Mailbox, MailError
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App

log = logging.getLogger(__name__)


def tidy(app: App, owner: Mailbox | None, now: datetime) -> int:
    """Take out of her Drafts folder every copy whose draft is no longer hers to send: refmail sent it,
    withdrew it (the prospect answered), or she skipped it. Sending a stale copy would write twice, or to
    someone who has already answered."""
    if owner is None:
        return 0
    with app.sessions() as s:
        stale = s.execute(select(m.Draft.id, m.Draft.message_id).where(
            m.Draft.drafts_copy_at.is_not(None), m.Draft.drafts_copy_removed_at.is_(None),
            m.Draft.status != q.PENDING_DRAFT)).all()
    removed = 0
    for draft_id, message_id in stale:
        try:
            found = owner.remove_message_id(owner.drafts_folder(), message_id)
        except MailError as exc:
            log.warning("could not take draft %s out of the Drafts folder yet: %s", draft_id, exc)
            continue
        with app.sessions.begin() as s:
            draft = s.get(m.Draft, draft_id)
            if draft is None or draft.drafts_copy_removed_at is not None:
                continue
            draft.drafts_copy_removed_at = now
            if not found:  # her client took it out itself when she sent it
                continue
            record(s, draft.referral_id, now, "draft", f"{draft.kind} draft {draft.id} taken out of your Drafts "
                   f"folder ({draft.status})", draft_id=draft.id)
        removed += bool(found)
    return removed
