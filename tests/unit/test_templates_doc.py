"""docs/templates.md lists every template and exactly the variables refmail gives it; its examples are current."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import meta

from refmail.app import approval_mail, digest_mail
from refmail.domain.drafting import ReferralFacts, SentRef, plan
from refmail.domain.rules import DraftKind
from refmail.domain.types import Person
from refmail.render import PACKAGED, Renderer
from refmail.store import models as m
from tests.unit.test_digest import MONDAY_8, make_app, seed

DOC = Path(__file__).resolve().parents[2] / "docs" / "templates.md"
ROW = re.compile(r"^\|\s*`([\w.*]+)`\s*\|\s*(.*?)\s*\|\s*$")


def documented() -> dict[str, set[str]]:
    table = {}
    for line in DOC.read_text().splitlines():
        found = ROW.match(line)
        if found:
            table[found.group(1)] = set(re.findall(r"`(\w+)`", found.group(2)))
    return table


def example_facts(**kw) -> ReferralFacts:
    """The referral the examples in docs/templates.md are drawn from."""
    base = dict(
        referral_id="r4f2a9c1", owner=Person("Olivia Owner", "owner@example.com"),
        referrers=(Person("Alice Source", "alice@example.org"),),
        prospects=(Person("Carol Prospect", "carol@example.net"),),
        intro_subject="Intro: Olivia <> Carol", intro_message_id="intro-1@example.org",
        context=("Olivia, meet Carol. Carol runs operations at Petrov Tech and is moving their books off "
                 "spreadsheets. Carol, Olivia is the person I trust most with this kind of thing. "
                 "I'll let you two take it from here. Alice"),
        bcc_referrer=True,
    )
    return ReferralFacts(**(base | kw))


def test_every_template_is_listed():
    names = {p.name for p in PACKAGED.iterdir() if p.name.endswith(".j2")}
    listed = set(documented())
    for name in names:
        stem = name.rsplit(".", 2)[0]
        assert name in listed or f"{stem}.*" in listed, f"{name} is not in docs/templates.md"


@pytest.mark.parametrize("kind", list(DraftKind))
def test_draft_variables_are_exactly_what_drafting_passes(kind):
    passed = set(plan(kind, example_facts()).data)
    assert documented()[f"{kind.value}.*"] == passed


def test_every_template_uses_only_documented_variables():
    env = Renderer().env
    table = documented()
    for path in PACKAGED.iterdir():
        if not path.name.endswith(".j2"):
            continue
        used = meta.find_undeclared_variables(env.parse(path.read_text()))
        key = path.name if path.name in table else path.name.rsplit(".", 2)[0] + ".*"
        assert used <= table[key], (path.name, used - table[key])


def test_approval_and_digest_variables_are_exactly_what_they_are_given(tmp_path):
    app = make_app(tmp_path)
    seed(app, MONDAY_8)
    given: dict[str, set[str]] = {}
    for attr in ("text", "html"):
        original = getattr(app.renderer, attr)

        def recording(name, data, original=original):  # type: ignore[no-untyped-def]
            given.setdefault(name, set()).update(data)
            return original(name, data)

        setattr(app.renderer, attr, recording)
    with app.sessions() as s:
        approval_mail.approval_mail(s, app, s.get(m.Draft, "d0000001"), MONDAY_8)
    digest, _ = digest_mail.build(app, MONDAY_8)
    digest_mail.render(app, digest)
    table = documented()
    for name in ("approval.subject.j2", "approval.body.j2", "digest.subject.j2", "digest.txt.j2", "digest.html.j2"):
        key = name if name in table else name.rsplit(".", 2)[0] + ".*"
        assert table[key] == given[name], name


def shown(kind: DraftKind, facts: ReferralFacts) -> str:
    """A draft as the owner sees it in her approval email."""
    spec = plan(kind, facts)
    subject, body = Renderer().draft(spec)
    head = [f"To: {', '.join(p.formatted() for p in spec.to)}"]
    if spec.bcc:
        head.append(f"Bcc: {', '.join(p.formatted() for p in spec.bcc)}")
    return "\n".join(head + [f"Subject: {subject}", "", body.rstrip()])


def examples() -> dict[str, str]:
    first = example_facts()
    sent = Renderer().draft(plan(DraftKind.FIRST_TOUCH, first))
    again = example_facts(first_touch=SentRef("ft-1@example.com", sent[0], sent[1],
                                              datetime(2027, 3, 2, 15, 4, tzinfo=UTC)), unanswered=1)
    return {"first touch": shown(DraftKind.FIRST_TOUCH, first), "second message": shown(DraftKind.SECOND_TOUCH, again),
            "thank-you to the referrer": shown(DraftKind.THANK_SOURCE, first)}


def test_the_example_drafts_in_the_doc_are_what_refmail_writes():
    text = DOC.read_text()
    for title, draft in examples().items():
        block = re.search(rf"### Example: {re.escape(title)}\n\n```text\n(.*?)\n```", text, re.DOTALL)
        assert block is not None, title
        assert block.group(1) == draft, title
