"""The outbox state machine, without a database: every allowed move, and the moves it refuses."""

from __future__ import annotations

import ast
from pathlib import Path

import itertools
from datetime import UTC, datetime, timedelta

import pytest

import refmail

from refmail.domain import outbox
from refmail.domain.outbox import DraftEvent as E, DraftStatus as S, InvalidDraftTransition
from refmail.domain.rules import Outbox, rules_from_mapping

# The lifecycle as the app lives it, written out once more by hand: the table must say exactly this.
ALLOWED = [
    (S.PENDING, E.APPROVED, S.APPROVED),  # `refmail approve`, an approval email, her mail client
    (S.PENDING, E.REJECTED, S.REJECTED),  # `refmail reject`, "skip"
    (S.PENDING, E.WITHDRAWN, S.CANCELLED),  # the prospect answered before the owner decided
    (S.APPROVED, E.WITHDRAWN, S.CANCELLED),  # ... or before it went out
    (S.APPROVED, E.CLAIMED, S.SENDING),
    (S.APPROVED, E.SENT, S.SENT),  # she sent refmail's draft from her own client
    (S.APPROVED, E.FAILED, S.FAILED),  # it cannot be composed
    (S.SENDING, E.SENT, S.SENT),
    (S.SENDING, E.UNCERTAIN, S.UNCERTAIN),
    (S.SENDING, E.RETRY, S.APPROVED),
    (S.SENDING, E.FAILED, S.FAILED),
    (S.UNCERTAIN, E.RECONCILED, S.UNCERTAIN),
    (S.UNCERTAIN, E.CONFIRMED, S.SENT),  # `refmail resolve ID sent`
    (S.UNCERTAIN, E.RESENT, S.CANCELLED),  # `refmail resolve ID resend`: a new draft goes instead
    (S.REJECTED, E.SENT_BY_OWNER, S.SENT_AFTER_WITHDRAWAL),
    (S.CANCELLED, E.SENT_BY_OWNER, S.SENT_AFTER_WITHDRAWAL),
]


def test_the_table_is_exactly_the_written_lifecycle():
    assert outbox.TABLE == {(status, event): to for status, event, to in ALLOWED}


@pytest.mark.parametrize(("status", "event", "to"), ALLOWED)
def test_every_allowed_move(status, event, to):
    assert outbox.allows(status, event)
    assert outbox.step(status, event) is to
    assert outbox.step(status.value, event) is to  # as the store hands it over


REFUSED = [(s, e) for s, e in itertools.product(S, E) if (s, e) not in {(a, b) for a, b, _ in ALLOWED}]


@pytest.mark.parametrize(("status", "event"), REFUSED)
def test_every_other_pair_raises(status, event):
    assert not outbox.allows(status, event)
    with pytest.raises(InvalidDraftTransition) as caught:
        outbox.step(status, event)
    assert (caught.value.status, caught.value.event) == (status, event)
    assert str(caught.value) == f"a draft that is {status} cannot be {event}"


@pytest.mark.parametrize(("status", "event"), [
    (S.SENT, E.CLAIMED),  # a sent draft never goes out again
    (S.SENT, E.RETRY),
    (S.UNCERTAIN, E.CLAIMED),  # only the owner's `resolve ... resend` sends it again, as a new draft
    (S.UNCERTAIN, E.APPROVED),
    (S.PENDING, E.CLAIMED),  # never without approval
    (S.REJECTED, E.APPROVED),  # a skipped draft stays skipped
    (S.CANCELLED, E.APPROVED),
    (S.FAILED, E.RETRY),
    (S.SENDING, E.APPROVED),
    (S.SENDING, E.WITHDRAWN),  # the lease holder decides its fate, not the lifecycle
])
def test_the_moves_that_would_send_twice_or_unapproved_are_refused(status, event):
    assert (status, event) in REFUSED


def test_nothing_leaves_the_ends_and_nothing_goes_back_to_pending():
    for end in (S.SENT, S.FAILED, S.SENT_AFTER_WITHDRAWAL):
        assert not [e for e in E if outbox.allows(end, e)]
    assert S.PENDING not in outbox.TABLE.values()


def test_a_word_that_is_no_status_is_refused():
    with pytest.raises(ValueError):
        outbox.step("queued", E.CLAIMED)


NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
RULES = Outbox(retry_for_hours=48, retry_first_minutes=5, retry_max_minutes=120)


@pytest.mark.parametrize(("attempts", "wait"), [(1, 5), (2, 10), (3, 20), (5, 80), (6, 120), (12, 120)])
def test_the_wait_doubles_with_each_attempt_up_to_the_ceiling(attempts, wait):
    assert outbox.after_failure(RULES, attempts, NOW - timedelta(hours=1), NOW, permanent=False) == (
        E.RETRY, NOW + timedelta(minutes=wait))


def test_the_deadline_counts_from_the_first_attempt():
    first = NOW - timedelta(hours=48)
    assert outbox.after_failure(RULES, 9, first, NOW, permanent=False) == (E.FAILED, None)
    assert outbox.after_failure(RULES, 9, first + timedelta(seconds=1), NOW, permanent=False)[0] is E.RETRY
    assert outbox.after_failure(RULES, 1, None, NOW, permanent=False)[0] is E.RETRY  # first attempt: now


def test_a_permanent_refusal_is_never_retried():
    assert outbox.after_failure(RULES, 1, NOW, NOW, permanent=True) == (E.FAILED, None)


def test_the_back_off_comes_from_rules_yaml():
    rules = rules_from_mapping({"outbox": {"retry_first_minutes": 1, "retry_max_minutes": 3}})
    waits = [outbox.after_failure(rules.outbox, n, NOW, NOW, permanent=False)[1] - NOW for n in (1, 2, 3)]
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=3)]


def test_only_the_outbox_makes_drafts_or_sets_their_status():
    """Every draft is born pending (app/outbox.new_draft) and changes only through the table (move, decide):
    a status written anywhere else could skip a step the table forbids, such as sending a rejected draft."""
    package = Path(refmail.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        if path == package / "app" / "outbox.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Draft":
                offenders.append(f"{path.relative_to(package)}:{node.lineno} builds a Draft")
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status" and "draft" in ast.unparse(target.value).lower():
                    offenders.append(f"{path.relative_to(package)}:{node.lineno} sets a draft's status")
    assert offenders == []
