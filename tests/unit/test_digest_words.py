"""Issue 10: the digest describes each draft plainly ("Thank-you to Alice Source"), for one or several prospects."""

from __future__ import annotations

from datetime import timedelta

from refmail.app import digest_mail
from refmail.store import models as m
from refmail.store import queries as q
from tests.unit.test_digest import MONDAY_8, make_app, seed


def test_sent_and_due_lines_read_plainly(tmp_path):
    app = make_app(tmp_path)
    seed(app, MONDAY_8 - timedelta(days=3))
    with app.sessions.begin() as s:
        s.add(m.Party(referral_id="r0000001", role="prospect", email="dan@example.net", name="Dan Other",
                      added_at=MONDAY_8))
        s.add(m.Party(referral_id="r0000001", role="prospect", email="eve@example.net", name="Eve Third",
                      added_at=MONDAY_8))
        s.add(m.Draft(id="d0000002", referral_id="r0000001", kind="thank_source", status=q.SENT,
                      to=[{"name": "Alice Source", "email": "alice@example.org"}], cc=[],
                      subject="Thank you for the introduction", body="Hi Alice", message_id="refmail.d2.x@example.com",
                      in_reply_to=None, references=[], due_at=MONDAY_8, created_at=MONDAY_8 - timedelta(days=3),
                      sent_at=MONDAY_8 - timedelta(days=2)))
        s.add(m.DueAction(referral_id="r0000001", kind="second_touch", due_at=MONDAY_8 + timedelta(hours=1)))
    digest, _ = digest_mail.build(app, MONDAY_8)
    text = digest_mail.render(app, digest)[1]
    assert "Thank-you to Alice Source" in text and "Thank-you to the referrer" not in text
    assert "Second message to Carol Prospect, Dan Other and Eve Third" in text
    assert "Carol Prospect and Dan Other and" not in text


def test_approval_lines_agree_with_one_prospect(tmp_path):
    from refmail.app.approval_mail import why

    app = make_app(tmp_path)
    seed(app, MONDAY_8)
    with app.sessions.begin() as s:
        draft = s.get(m.Draft, "d0000001")
        draft.kind = "second_touch"
        assert "Carol Prospect, who has not answered yet" in why(s, draft)
        draft.kind = "thank_source"
        draft.to = [{"name": "Alice Source", "email": "alice@example.org"}]
        assert why(s, draft).startswith("a thank-you to Alice Source for introducing Carol Prospect")
