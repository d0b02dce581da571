"""The draft / outbox state machine: step(status, event) -> status, and when a failed send is tried again.

A transition table like `lifecycle`: a (status, event) pair missing from it raises
InvalidDraftTransition, so no code path can move a draft in a way nobody wrote down
(a sent draft back to approved would send it twice).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from typing import TYPE_CHECKING

from refmail.errors import InternalError

if TYPE_CHECKING:  # annotations only
    from refmail.domain.rules import Outbox


class DraftStatus(enum.StrEnum):
    PENDING = "pending"  # waits for the owner's word
    APPROVED = "approved"  # in the outbox: goes out at the next send window
    SENDING = "sending"  # claimed by one worker, under a lease
    SENT = "sent"
    REJECTED = "rejected"  # the owner skipped it
    CANCELLED = "cancelled"  # withdrawn by the lifecycle, or replaced by a copy sent again
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # may or may not have gone out: assumed sent until the owner says otherwise
    # The owner sent a withdrawn or skipped draft from her own mail client: out, and worth her attention.
    SENT_AFTER_WITHDRAWAL = "sent_after_withdrawal"


class DraftEvent(enum.StrEnum):
    APPROVED = "approved"  # the owner said send (CLI, email, her mail client), or a rule waived approval
    REJECTED = "rejected"  # the owner said skip
    WITHDRAWN = "withdrawn"  # the referral moved on: the draft must not go out
    CLAIMED = "claimed"  # a worker took it to send
    SENT = "sent"  # the server took it, the Sent folder has it, or she sent it herself
    UNCERTAIN = "uncertain"  # the server may have taken it: assumed sent, never resent on a guess
    RETRY = "retry"  # the server would not take it now: back in the outbox, later
    FAILED = "failed"  # refused for good, or the retry deadline passed
    RECONCILED = "reconciled"  # an 'uncertain' draft an older version stopped at, carried on
    CONFIRMED = "confirmed"  # `refmail resolve ID sent`: it did arrive
    RESENT = "resent"  # `refmail resolve ID resend`: it did not; a new draft replaces it
    SENT_BY_OWNER = "sent_by_owner"  # she sent a copy refmail had withdrawn, or she had skipped


S, E = DraftStatus, DraftEvent
TABLE: dict[tuple[DraftStatus, DraftEvent], DraftStatus] = {
    (S.PENDING, E.APPROVED): S.APPROVED,
    (S.PENDING, E.REJECTED): S.REJECTED,
    (S.PENDING, E.WITHDRAWN): S.CANCELLED,
    (S.APPROVED, E.WITHDRAWN): S.CANCELLED,
    (S.APPROVED, E.CLAIMED): S.SENDING,
    (S.APPROVED, E.SENT): S.SENT,  # from her own mail client, before refmail sent it
    (S.APPROVED, E.FAILED): S.FAILED,  # cannot even be composed
    (S.SENDING, E.SENT): S.SENT,
    (S.SENDING, E.UNCERTAIN): S.UNCERTAIN,
    (S.SENDING, E.RETRY): S.APPROVED,
    (S.SENDING, E.FAILED): S.FAILED,
    (S.UNCERTAIN, E.RECONCILED): S.UNCERTAIN,
    (S.UNCERTAIN, E.CONFIRMED): S.SENT,
    (S.UNCERTAIN, E.RESENT): S.CANCELLED,
    (S.REJECTED, E.SENT_BY_OWNER): S.SENT_AFTER_WITHDRAWAL,
    (S.CANCELLED, E.SENT_BY_OWNER): S.SENT_AFTER_WITHDRAWAL,
}
del S, E

# Still to be decided or sent: what a change in the referral withdraws.
LIVE = (DraftStatus.PENDING, DraftStatus.APPROVED)
# Gone out as far as refmail knows: 'uncertain' is assumed delivered until the owner says otherwise.
OUT = (DraftStatus.SENT, DraftStatus.UNCERTAIN)


class InvalidDraftTransition(InternalError):
    """A (status, event) pair the outbox table does not allow."""

    def __init__(self, status: DraftStatus, event: DraftEvent) -> None:
        super().__init__(f"a draft that is {status} cannot be {event}")
        self.status, self.event = status, event


def allows(status: str, event: DraftEvent) -> bool:
    return (DraftStatus(status), event) in TABLE


def step(status: str, event: DraftEvent) -> DraftStatus:
    """The status `event` moves a draft in `status` to; raises InvalidDraftTransition for a pair not in TABLE."""
    current = DraftStatus(status)
    try:
        return TABLE[current, event]
    except KeyError:
        raise InvalidDraftTransition(current, event) from None


def after_failure(rules: Outbox, attempts: int, first_attempt_at: datetime | None, now: datetime,
                  permanent: bool) -> tuple[DraftEvent, datetime | None]:
    """A send that did not happen: FAILED for good, or RETRY at the returned time.

    The deadline counts from the first attempt (approval may come long before the send window opens);
    the wait doubles with each attempt, up to a ceiling, so a server that is down is not hammered."""
    deadline = (first_attempt_at or now) + timedelta(hours=rules.retry_for_hours)
    if permanent or now >= deadline:
        return DraftEvent.FAILED, None
    wait = timedelta(minutes=rules.retry_first_minutes) * 2 ** max(attempts - 1, 0)
    return DraftEvent.RETRY, now + min(wait, timedelta(minutes=rules.retry_max_minutes))
