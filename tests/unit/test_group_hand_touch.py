"""Regression (found by the held-back corpus): the owner's reply-all to a group intro, the assistant in BCC,
was her first touch on every prospect's track at once; the tracks could not share her Message-ID and the
message failed to process on every cycle."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from sqlalchemy import select

from refmail.app import process
from refmail.domain.outcome import Outcome
from refmail.store import models as m
from tests.unit.test_questions import NOW, make_app, store


def test_her_reply_all_to_a_group_intro_is_the_first_touch_on_every_track(tmp_path):
    app = make_app(tmp_path)
    reply = EmailMessage(policy=SMTP)
    reply["From"] = "Olivia Owner <owner@example.com>"
    reply["To"] = "Carol Prospect <carol@example.net>, Dan Prospect <dan@example.net>"
    reply["Cc"] = "Alice Source <alice@example.org>"
    reply["Bcc"] = "assistant@example.com"
    reply["Subject"] = "Re: Intro: Olivia <> Carol and Dan"
    reply["Date"] = format_datetime(NOW)
    reply["Message-ID"] = "<her-reply@owner.example>"
    reply["In-Reply-To"] = "<group-intro@example.org>"
    reply.set_content(
        "Thanks Alice! Moving you to bcc.\n\nCarol, Dan - lovely to meet you both. Does Thursday work for a call?\n\n"
        "Olivia\n\nOn Mon, Jan 5, 2026 at 6:00 AM Alice Source <alice@example.org> wrote:\n"
        "> Olivia, meet Carol and Dan. Carol runs Acme's pricing team and Dan is her CFO; they need help\n"
        "> with their pricing review. Carol, Dan - Olivia is the pricing adviser I told you about.\n> Alice\n")
    row_id = store(app, reply.as_bytes())
    process.process_pending(app, NOW)
    with app.sessions() as s:
        row = s.get(m.Message, row_id)
        assert row.error is None and row.outcome == Outcome.REFERRAL.value
        tracks = s.scalars(select(m.Referral)).all()
        assert len(tracks) == 2
        assert all(t.first_sent_at is not None and t.state == "contacted" for t in tracks)
        hand = s.scalars(select(m.Draft).where(m.Draft.message_id == "her-reply@owner.example")).all()
        assert len(hand) == 1 and hand[0].decided_by == "owner by hand"
