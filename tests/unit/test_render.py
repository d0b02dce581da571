"""Templates render every draft kind; headers never carry what an email tried to inject."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from refmail.domain.drafting import ReferralFacts, SentRef, first_name, plan
from refmail.domain.rules import DraftKind
from refmail.domain.types import Person
from refmail.render import Envelope, Renderer, TemplateError, compose

OWNER = Person("Olivia Owner", "owner@example.com")
ALICE = Person("Alice Source", "alice@example.org")
CAROL = Person("Carol Prospect", "carol@example.net")
FACTS = ReferralFacts("r1", OWNER, (ALICE,), (CAROL,), "Intro: Olivia <> Carol", "intro-1@example.org",
                      first_touch=SentRef("refmail.d1.x@example.com", "Alice Source suggested we connect"))


@pytest.mark.parametrize("kind", list(DraftKind))
def test_every_kind_renders(kind):
    subject, body = Renderer().draft(plan(kind, FACTS))
    assert subject and "\n" not in subject
    assert body.strip()
    assert "{{" not in body


def test_first_touch_names_the_referrer_and_threads_on_the_intro():
    spec = plan(DraftKind.FIRST_TOUCH, FACTS)
    subject, body = Renderer().draft(spec)
    assert subject == "Alice Source suggested we connect"
    assert spec.to == (CAROL,) and spec.in_reply_to == "intro-1@example.org"
    assert body.startswith("Hi Carol,")


def test_second_touch_replies_to_the_first():
    spec = plan(DraftKind.SECOND_TOUCH, FACTS)
    subject, _ = Renderer().draft(spec)
    assert subject == "Re: Alice Source suggested we connect"
    assert spec.in_reply_to == "refmail.d1.x@example.com"
    assert spec.references == ("intro-1@example.org", "refmail.d1.x@example.com")


def test_escalation_goes_to_the_referrer_in_a_collaborative_tone():
    spec = plan(DraftKind.ESCALATION, FACTS)
    _, body = Renderer().draft(spec)
    assert spec.to == (ALICE,)
    assert "What do you suggest we do next?" in body


def test_user_template_overrides_the_packaged_one(tmp_path: Path):
    (tmp_path / "first_touch.subject.j2").write_text("Hello from {{ referrer_first }}'s friend")
    subject, body = Renderer(tmp_path).draft(plan(DraftKind.FIRST_TOUCH, FACTS))
    assert subject == "Hello from Alice's friend"
    assert "Hi Carol" in body  # the body still comes from the packaged template


def test_a_template_using_an_unknown_name_is_a_clear_error(tmp_path: Path):
    (tmp_path / "first_touch.subject.j2").write_text("{{ nobody_gave_me_this }}")
    with pytest.raises(TemplateError, match="first_touch.subject.j2"):
        Renderer(tmp_path).draft(plan(DraftKind.FIRST_TOUCH, FACTS))


def test_hostile_names_cannot_inject_headers():
    evil = Person("Mallory\r\nBcc: victim@example.com", "mallory@example.net")
    facts = ReferralFacts("r1", OWNER, (evil,), (CAROL,), "x", "intro@x")
    spec = plan(DraftKind.FIRST_TOUCH, facts)
    subject, body = Renderer().draft(spec)
    mail = compose(Envelope("refmail.d1.x@example.com", "first_touch", OWNER, (evil, CAROL), (), subject, body),
                   datetime(2026, 11, 16, 9, tzinfo=UTC))
    msg = message_from_bytes(mail.data, policy=default)
    assert msg["Bcc"] is None
    assert "victim@example.com" not in mail.recipients
    assert msg["Message-ID"] == "<refmail.d1.x@example.com>"
    assert msg["X-Refmail"] == "first_touch"


def test_first_name_handles_last_comma_first_and_missing_names():
    assert first_name(Person("Prospect, Carol", "c@x")) == "Carol"
    assert first_name(Person("", "carol.prospect@x")) == "Carol"
