"""Issue 10: the first touch rendered for every labelled intro of the corpora reads as the owner's own note."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from benchmarks.understanding import identity_for
from refmail.domain.detection_rules import DetectionRules
from refmail.domain.drafting import ReferralFacts, display_name, plan
from refmail.domain.mailtext import first_name, greeting_name
from refmail.domain.introline import MAX_COPIED_RUN, longest_copied_run, words
from refmail.domain.parse import parse_message
from tests.reading import understand
from refmail.domain.rules import DraftKind
from refmail.domain.types import ParsedMessage
from refmail.render import Renderer

TESTS = Path(__file__).resolve().parents[1]
CORPORA = ("corpus", "corpus_holdout", "corpus_found")
GREETING = re.compile(r"^\s*(hi|hey|hello|dear|good (morning|afternoon|evening)|greetings)\b", re.IGNORECASE)
MAX_WORDS = 120


def _texts(msg: ParsedMessage) -> list[str]:
    out = [msg.text]
    for inner in msg.attached + msg.embedded:
        out += _texts(inner)
    return out


def _intros() -> list[tuple[str, ParsedMessage, object]]:
    found = []
    for corpus in CORPORA:
        folder = TESTS / corpus
        for label in yaml.safe_load((folder / "labels.yaml").read_text()):
            if label["kind"] != "intro" or label.get("owner_is_referrer"):
                continue
            parsed = parse_message((folder / label["file"]).read_bytes())
            u = understand(parsed, identity_for(label), DetectionRules())
            if u.is_intro and u.prospects and u.referrer is not None and not u.owner_is_referrer:
                found.append((f"{corpus}/{label['file']}", parsed, u))
    return found


INTROS = _intros()
RENDERER = Renderer()


def test_the_check_covers_at_least_a_hundred_labelled_intros():
    assert len(INTROS) >= 100


@pytest.mark.parametrize("name,parsed,u", INTROS, ids=[i[0] for i in INTROS])
def test_first_touch_is_short_and_never_pastes_the_intro(name, parsed, u):
    owner = identity_for({"owner": "owner@example.com"}).owner
    facts = ReferralFacts("r1", owner, (u.referrer,), tuple(u.prospects), parsed.subject, parsed.message_id,
                          context=u.context, bcc_referrer=True)
    subject, body = RENDERER.draft(plan(DraftKind.FIRST_TOUCH, facts))
    intro = "\n".join(_texts(parsed))

    assert longest_copied_run(body, intro) < MAX_COPIED_RUN
    assert len(words(body)) <= MAX_WORDS
    for p in u.prospects:
        assert greeting_name(p) in body
    assert greeting_name(u.referrer) in body
    assert display_name(u.referrer) in subject

    lines = [ln.strip() for ln in intro.splitlines() if ln.strip() and not ln.strip().startswith(">")]
    mine = {ln.strip() for ln in body.splitlines()}
    # The intro's greeting (to the owner, or to everyone) is not ours to repeat.
    for ln in lines:
        if GREETING.match(ln) and len(ln) < 60:
            assert ln not in mine, ln
    # Nor its sign-off: the closing sentences and the referrer's signature.
    tail = [ln for text in _texts(parsed) for ln in [x.strip() for x in text.splitlines() if x.strip()][-3:]]
    for ln in tail:
        if len(words(ln)) >= 3:
            assert ln.lower() not in body.lower(), ln
        elif ln not in ("Best,", first_name(owner)):
            assert ln not in mine, ln
    # The owner's name appears once, under her own note: no "Olivia, meet Carol" or praise of her.
    assert body.count(first_name(owner)) == 1 and body.rstrip().endswith(first_name(owner))
