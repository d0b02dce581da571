"""Issue 8: mail handed to refmail is never met with silence; unsure mail is asked about or listed; a bug quarantines."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from refmail.app import digest_mail, process, question_mail, quarantine
from refmail.app.ingest import message_id_of
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.domain import pipeline
from refmail.domain import questions as qs
from refmail.domain.calls import Call, call, thresholds
from tests.reading import pipe_for
from refmail.domain.detection_rules import DetectionRules
from refmail.domain.outcome import HANDED, Outcome
from refmail.domain.parse import parse_message
from refmail.domain.types import ParsedMessage, Role
from refmail.store import queries as q
from refmail.store import models as m
from refmail.app.context import App
from refmail.wiring import build_app
from tests.fakes import Outbox

NOW = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # Monday, before the digest hour
TESTS = Path(__file__).resolve().parents[1]
CORPORA = [TESTS / "corpus", TESTS / "corpus_found", TESTS / "corpus_holdout"]
INTAKE = "assistant@example.com"
OWNER = "owner@example.com"


def make_app(tmp_path: Path, owner: str = "Olivia Owner <owner@example.com>, olivia@owner.example",
             assistant: str = INTAKE) -> App:
    env = {
        "REFMAIL_OWNER": owner,
        "REFMAIL_ASSISTANT": assistant,
        "REFMAIL_INTAKE_IMAP_USER": assistant,
        "REFMAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'refmail.db'}",
        "REFMAIL_SECRET": "unit-secret-long-enough",
        "REFMAIL_DATA_DIR": str(tmp_path),
    }
    return build_app(load_settings(environ=env), clock=FixedClock(NOW))


def store(app: App, raw: bytes, source: str = "intake", uid: int = 1, account: str | None = None) -> int | None:
    """A message as intake stores it (from the assistant's own mailbox, or her inbox)."""
    mid = message_id_of(raw)
    account = account or (INTAKE if source == "intake" else OWNER)
    with app.sessions.begin() as s:
        if s.scalar(select(m.Message.id).where(m.Message.message_id == mid)) is not None:
            return None
        row = m.Message(message_id=mid, account=account, folder="INBOX", source=source, uid=uid, raw=raw,
                        received_at=NOW)
        s.add(row)
        s.flush()
        return row.id


def unsure_intro(to_assistant: bool = True) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = "Alice Source <alice@example.org>"
    msg["To"] = "Olivia Owner <owner@example.com>, Carol Prospect <carol@example.net>"
    if to_assistant:
        msg["Cc"] = INTAKE
    msg["Subject"] = "Coffee?"
    msg["Date"] = format_datetime(NOW - timedelta(hours=1))
    msg["Message-ID"] = "<you-two@example.org>"
    # No word of what either does: the fitted model sits in the question band on it (0.35 and 0.23 for the
    # model fit at stop 33, 0.31 and 0.15 for the one before). With the assistant on the mail, "Are you two free
    # for coffee sometime?" reads as an intro to the stop-33 model (0.57, its line 0.55), and so does "Olivia,
    # Carol - coffee sometime?" without it (0.79).
    msg.set_content("Are you free for coffee next week? Alice\n" if to_assistant
                    else "Are you two free for coffee sometime? Alice\n")
    return msg.as_bytes()


def section(digest: str, title: str) -> int:
    found = re.search(rf"^{re.escape(title.upper())} \((\d+)\)$", digest, flags=re.M)
    return int(found.group(1)) if found else 0


# ---- every message handed to the assistant ends in exactly one outcome ----------------


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda p: p.name)
def test_every_corpus_message_handed_to_the_assistant_gets_exactly_one_outcome(tmp_path, corpus):
    """Each file arrives in the assistant's own mailbox (as To/Cc, a BCC or a forward would): none is met with
    silence, and each outcome is real where the owner looks (a referral, a timeline, a question email, a digest line)."""
    app = make_app(tmp_path)
    labels = {lab["file"]: lab for lab in yaml.safe_load((corpus / "labels.yaml").read_text())}
    rows: dict[int, str] = {}
    for uid, name in enumerate(labels, 1):
        path = corpus / name
        if path.exists():
            row_id = store(app, path.read_bytes(), uid=uid)
            if row_id is not None:
                rows[row_id] = name
    assert len(rows) >= 80
    process.process_pending(app, NOW)
    outbox = Outbox()
    question_mail.request_questions(app, outbox, NOW)
    digest = digest_mail.print_today(app)
    counts = dict.fromkeys(Outcome, 0)
    with app.sessions() as s:
        noted = {str((t.detail or {}).get("message_id")) for t in s.scalars(select(m.TimelineEntry))}
        answered = {a.message_id for a in s.scalars(select(m.ApprovalAttempt))}
        for row_id, name in rows.items():
            row = s.get(m.Message, row_id)
            assert row is not None and row.processed_at is not None, name
            assert row.outcome in {o.value for o in HANDED}, f"{name}: {row.outcome} ({row.summary}, {row.error})"
            outcome = Outcome(row.outcome)
            counts[outcome] += 1
            question = s.scalar(select(m.Question).where(m.Question.message_row == row.id))
            if outcome is Outcome.REFERRAL:
                assert row.referral_id and s.get(m.Referral, row.referral_id) is not None, name
            elif outcome is Outcome.EVENT:
                assert row.referral_id or row.message_id in noted | answered or row.kind in ("ours", "approval"), name
            elif outcome is Outcome.QUESTION:
                parsed = parse_message(row.raw)
                assert isinstance(parsed, ParsedMessage)
                asked = question or s.scalar(select(m.Question).where(m.Question.status == "open"))
                assert asked is not None and asked.channel == "email", name
            else:
                assert question is None and row.summary and row.summary.startswith("not an intro: "), name
            if labels[name]["kind"] == "intro":  # an intro is never set aside as no intro
                assert outcome is not Outcome.NOT_INTRO, f"{name}: {row.summary}"
        open_questions = s.scalars(select(m.Question).where(m.Question.status == "open")).all()
    # Where the owner sees them: one question email each, and every set-aside message in the digest.
    assert len(outbox.sent) == len(open_questions)
    assert all(b"[refmail] Question: " in mail.data for mail in outbox.sent)
    assert section(digest, "Questions for you") == len(open_questions)
    assert section(digest, "Handed to refmail, not introductions") == counts[Outcome.NOT_INTRO]
    assert counts[Outcome.REFERRAL] > 0 and counts[Outcome.NOT_INTRO] > 0


# ---- the owner's own inbox -------------------------------------------------------------


def test_owner_inbox_lists_a_possible_intro_in_the_digest_and_drafts_nothing(tmp_path):
    app = make_app(tmp_path)
    store(app, unsure_intro(to_assistant=False), source="inbox")
    process.process_pending(app, NOW)
    outbox = Outbox()
    assert question_mail.request_questions(app, outbox, NOW) == 0
    assert outbox.sent == []  # never an email each
    with app.sessions() as s:
        assert s.scalars(select(m.Draft)).all() == []
        assert s.scalars(select(m.Referral)).all() == []
        question = s.scalars(select(m.Question)).one()
        assert question.channel == "digest"
        row = s.scalars(select(m.Message)).one()
        assert row.outcome == Outcome.POSSIBLE.value
    digest = digest_mail.print_today(app)
    assert section(digest, "Possible intros") == 1
    assert section(digest, "Questions for you") == 0
    assert "Alice Source introduced you to Carol Prospect <carol@example.net>" in digest
    assert f"refmail answer {question.id} 1" in digest


def test_the_same_message_handed_to_the_assistant_is_asked_about_by_email(tmp_path):
    app = make_app(tmp_path)
    store(app, unsure_intro(to_assistant=True), source="inbox")  # her inbox, but the assistant is in Cc
    process.process_pending(app, NOW)
    outbox = Outbox()
    assert question_mail.request_questions(app, outbox, NOW) == 1
    assert question_mail.request_questions(app, outbox, NOW + timedelta(minutes=1)) == 0  # asked once
    assert len(outbox.sent) == 1 and b"Subject: [refmail] Question: Coffee?" in outbox.sent[0].data


def test_a_message_read_again_is_still_asked_about_once(tmp_path):
    app = make_app(tmp_path)
    row_id = store(app, unsure_intro())
    process.process_pending(app, NOW)
    outbox = Outbox()
    question_mail.request_questions(app, outbox, NOW)
    with app.sessions.begin() as s:  # read again (a retry, a second worker after a crash before its commit)
        row = s.get(m.Message, row_id)
        assert row is not None
        row.processed_at = None
    process.process_pending(app, NOW + timedelta(minutes=5))
    question_mail.request_questions(app, outbox, NOW + timedelta(minutes=5))
    with app.sessions() as s:
        assert len(s.scalars(select(m.Question)).all()) == 1
    assert len(outbox.sent) == 1


# ---- a failure is never a verdict ----------------------------------------------------------


def test_an_exception_in_understanding_quarantines_the_message(tmp_path, monkeypatch):
    app = make_app(tmp_path)
    row_id = store(app, unsure_intro())

    def broken(ctx):  # a bug in a step
        raise RuntimeError("step exploded")

    monkeypatch.setattr(pipeline, "STEPS", (broken,) + pipeline.STEPS)
    process.process_pending(app, NOW)
    with app.sessions() as s:
        row = s.get(m.Message, row_id)
        assert row is not None and row.processed_at is not None
        assert row.kind != "other" and row.outcome == Outcome.QUARANTINED.value
        assert row.error == "RuntimeError: step exploded" and row.error_stage == "understand"
        assert s.scalars(select(m.Question)).all() == []
    listed = quarantine.listing(app)
    assert [(r["id"], r["stage"]) for r in listed] == [(row_id, "understand")]
    assert "RuntimeError" in digest_mail.print_today(app)

    monkeypatch.undo()  # the bug is fixed: a retry reads it again and it is asked about
    assert quarantine.retry(app, str(row_id)) == 1
    process.process_pending(app, NOW)
    with app.sessions() as s:
        row = s.get(m.Message, row_id)
        assert row is not None and row.error is None and row.outcome == Outcome.QUESTION.value
    assert quarantine.listing(app) == []


def test_parse_reports_a_failure_in_understanding_as_that_files_error(tmp_path, monkeypatch):
    from refmail.app.explain import parse_files
    from refmail.domain.types import Identity, Person

    good = tmp_path / "good.eml"
    good.write_bytes(unsure_intro())

    def broken(ctx):
        raise RuntimeError("step exploded")

    identity = Identity(Person("Olivia Owner", OWNER), (), INTAKE)
    assert [r.get("unsure") for r in parse_files([str(good)], identity, None, pipe_for)] == [True]
    monkeypatch.setattr(pipeline, "STEPS", (broken,) + pipeline.STEPS)
    assert list(parse_files([str(good)], identity, None, pipe_for)) == [
        {"file": str(good), "error": "understanding failed: RuntimeError: step exploded"}]


# ---- the pure parts ---------------------------------------------------------------------


def test_unset_thresholds_are_the_lines_chosen_with_the_fitted_model():
    rules = DetectionRules()
    model = pipe_for(rules).model
    lines = thresholds(rules, model)
    assert (lines.intro, lines.question) == (model.threshold, model.question_min)
    assert thresholds(DetectionRules(min_confidence=0.05), model).question == 0.05  # never above the intro line


def test_the_score_is_read_against_the_two_thresholds_from_the_rules():
    rules = DetectionRules.from_mapping({"thresholds": {"intro": 0.6, "question": 0.2}})
    assert (rules.min_confidence, rules.question_confidence) == (0.6, 0.2)
    lines = thresholds(rules, pipe_for(rules).model)
    assert [call(x, lines) for x in (0.6, 0.59, 0.2, 0.19)] == [Call.INTRO, Call.QUESTION, Call.QUESTION,
                                                               Call.NOT_INTRO]
    with pytest.raises(ValueError, match=r"detection\.thresholds\.question"):
        DetectionRules.from_mapping({"thresholds": {"intro": 0.4, "question": 0.5}})
    with pytest.raises(ValueError, match=r"detection\.thresholds\.maybe: unknown key"):
        DetectionRules.from_mapping({"thresholds": {"maybe": 0.5}})


@pytest.mark.parametrize("text, kind, number", [
    ("1", qs.AnswerKind.PICK, 1),
    ("2.\n\nOlivia", qs.AnswerKind.PICK, 2),
    ("#1", qs.AnswerKind.PICK, 1),
    ("3", qs.AnswerKind.UNCLEAR, 0),  # only two readings
    ("no", qs.AnswerKind.NO, 0),
    ("Not an intro.", qs.AnswerKind.NO, 0),
    ("no idea, can you ask Alice what she meant by this whole thing", qs.AnswerKind.UNCLEAR, 0),
    ("maybe later", qs.AnswerKind.UNCLEAR, 0),
    ("", qs.AnswerKind.UNCLEAR, 0),
    ("> 1\n> no", qs.AnswerKind.UNCLEAR, 0),  # only quoted text: no answer
])
def test_her_answer_is_a_number_no_or_nothing_clear(text, kind, number):
    answer = qs.read_answer(text + "\n\nOn Mon, refmail wrote:\n> 1. Alice introduced you to Carol", readings=2)
    assert (answer.kind, answer.number) == (kind, number)


def test_referrer_and_prospect_lines_name_the_people():
    answer = qs.read_answer("referrer: Alice Source <alice@example.org>\nprospect: carol@example.net\n"
                            "prospect: Dan <DAN@example.net>\n", readings=0)
    assert answer.kind is qs.AnswerKind.GIVEN
    assert answer.referrer is not None and answer.referrer.email == "alice@example.org"
    assert [p.email for p in answer.prospects] == ["carol@example.net", "dan@example.net"]
    assert qs.read_answer("referrer: alice@example.org\n", 0).kind is qs.AnswerKind.UNCLEAR
    assert qs.read_answer("referrer: not an address\nprospect: c@x.net", 0).kind is qs.AnswerKind.UNCLEAR
    assert qs.read_answer("referrer: a@x.org, b@x.org\nprospect: c@x.net", 0).kind is qs.AnswerKind.UNCLEAR


def test_a_question_token_is_bound_to_its_question_and_owner():
    secret, issued = b"k" * 32, NOW
    mid = qs.question_message_id(secret, "q12345", OWNER, issued, "example.com")
    ref = qs.find_refs(parse_message(b"Subject: Re: x\r\nIn-Reply-To: <" + mid.encode() + b">\r\n\r\n1\r\n"))[0]
    assert qs.check(ref, secret, OWNER, NOW) is qs.TokenCheck.VALID
    assert qs.check(ref, secret, "mallory@example.org", NOW) is qs.TokenCheck.FORGED
    assert qs.check(ref, b"other" * 8, OWNER, NOW) is qs.TokenCheck.FORGED
    assert qs.check(ref, secret, OWNER, NOW + timedelta(days=31)) is qs.TokenCheck.EXPIRED
    forged = qs.QuestionRef("q99999", ref.issued, ref.token)  # the same token on another question
    assert qs.check(forged, secret, OWNER, NOW) is qs.TokenCheck.FORGED


def test_the_owners_intro_of_a_followed_client_is_never_lost_behind_the_news_nor_the_news_behind_it(tmp_path):
    """A writer's mailbox (w165, Dhaka): the owner introduces Kamrul, a contact refmail already follows, to Ben
    and Rashed, the assistant copied. The model shipped at stop 26 was unsure (0.63): news on Kamrul's referral
    and a question (stop 27). The one fit on 191 folders is sure: a referral for the intro, and the message is
    still her hand-written mail to Kamrul, so his referral sends no first touch of its own (a sure reading
    used to lose that: only an unsure one went through the owner's route)."""
    app, row_of = _writers_mailbox(tmp_path, "w165", "110_tanvir_intro_ben_kamrul_rashed.eml")
    with app.sessions() as s:
        row = row_of(s)
        assert row.outcome == Outcome.REFERRAL.value, row.summary
        prospects = {p.email for p in q.parties(s, row.referral_id, Role.PROSPECT)}
        assert {"ben@carterfinch.example", "rashed.karim@yahoo.example"} <= prospects
        kamruls = s.scalars(select(m.Party.referral_id).where(m.Party.email == "kamrul@sonargaon-sweaters.example",
                                                               m.Party.referral_id != row.referral_id)).all()
        touched = [rid for rid in kamruls if f"owner's own message; referrals {rid}" in row.summary]
        assert touched, row.summary  # his open referral (an older one of his is closed)
        wrote = s.scalars(select(m.TimelineEntry).where(m.TimelineEntry.referral_id == touched[0],
                                                        m.TimelineEntry.event == "owner_wrote")).all()
        assert any("Carter & Finch" in e.text for e in wrote)


def _writers_mailbox(tmp_path: Path, writer: str, last: str):
    """A writer's mailbox handed to the assistant up to and including ``last``, processed as the daemon does;
    the app and a lookup of that message's row."""
    from refmail.training.corpus import mailbox_settings

    folder = TESTS / "corpus_written" / writer
    labels = yaml.safe_load((folder / "labels.yaml").read_text())
    owner, assistant = mailbox_settings(labels)
    app = make_app(tmp_path, owner=owner, assistant=assistant)
    names = [lab["file"] for lab in labels]
    for uid, name in enumerate(names[:names.index(last) + 1], 1):
        store(app, (folder / name).read_bytes(), uid=uid, account=assistant)
    for _ in range(3):  # a message set back by a conflict is read on the next cycle, as in the daemon
        process.process_pending(app, NOW)
    mid = message_id_of((folder / last).read_bytes())
    return app, lambda s: s.scalar(select(m.Message).where(m.Message.message_id == mid))


def test_a_prospect_bringing_in_a_colleague_on_the_thread_starts_a_referral_and_is_still_her_reply(tmp_path):
    """A writer's mailbox (w125): Lars, the prospect of a referral refmail follows, answers on the intro's thread
    and introduces his colleague Ingrid, the assistant copied. Before stop 28 it was only Lars's reply (Ingrid's
    intro lost): now Ingrid has a referral of her own, and Lars's referral still counts his reply."""
    app, row_of = _writers_mailbox(tmp_path, "w125", "113_cc_plus_ingrid_lars_adds_colleague.eml")
    with app.sessions() as s:
        row = row_of(s)
        assert row.outcome == Outcome.REFERRAL.value, row.summary
        ingrid = s.scalars(select(m.Party).where(m.Party.email == "ingrid.solberg@fjordknit.example",
                                                 m.Party.role == "prospect")).all()
        assert [p.referral_id for p in ingrid] == [row.referral_id]
        assert s.get(m.Referral, row.referral_id).intro_message_id == row.message_id
        lars = s.scalars(select(m.Party).where(m.Party.email == "lars.eriksson@fjordknit.example",
                                               m.Party.role == "prospect")).all()
        assert lars and all(s.get(m.Referral, p.referral_id).state == "replied" for p in lars), row.summary
        assert f"reply on {lars[0].referral_id}" in row.summary


def test_a_followed_prospect_introducing_a_colleague_off_the_thread_starts_a_referral_and_is_still_his_reply(tmp_path):
    """A writer's mailbox (w163): Ben, whom refmail follows, writes to introduce his colleague Rachel on a new
    thread. The model shipped at stop 26 was unsure (0.79): news on his referral and a question (stop 28). The
    one fit on 191 folders is sure: a referral for Rachel, and the message still counts as Ben's reply on his
    own referral (a sure reading off the intro's thread used to lose that, and a follow-up would chase him)."""
    app, row_of = _writers_mailbox(tmp_path, "w163", "066_ben_intro_rachel_moss_coo.eml")
    with app.sessions() as s:
        row = row_of(s)
        assert row.outcome == Outcome.REFERRAL.value, row.summary
        assert "rachel@ledgerly.example" in {p.email for p in q.parties(s, row.referral_id, Role.PROSPECT)}
        bens = s.scalars(select(m.Party.referral_id).where(m.Party.email == "ben@ledgerly.example",
                                                            m.Party.role == Role.PROSPECT.value)).all()
        assert bens and f"reply on {bens[0]}" in row.summary
        assert s.get(m.Referral, bens[0]).state == "replied"


def test_the_answer_to_a_double_opt_in_ask_with_the_prospects_details_is_asked_about(tmp_path):
    """A writer's mailbox (w178): Sarah answers Mark's "yes" with her brother-in-law's details pasted from his
    signature, on a thread refmail never followed. It was listed as "not an intro" (stop 29's held-back
    split); the models of stops 30 and 31 asked the owner, with Pete as the reading's prospect; the one fit at
    stop 32 reads it as the intro it is labelled. Either way: Sarah introducing Pete, never a quiet "no"."""
    app, row_of = _writers_mailbox(tmp_path, "w178", "116_sarah_iphone_intro_pete_signature_bcc.eml")
    with app.sessions() as s:
        row = row_of(s)
        assert row.outcome in (Outcome.QUESTION.value, Outcome.REFERRAL.value), row.summary
        if row.outcome == Outcome.QUESTION.value:
            question = s.scalar(select(m.Question).where(m.Question.message_row == row.id))
            readings = [(r["referrer"]["email"], [p["email"] for p in r["prospects"]]) for r in question.readings]
        else:
            readings = [([p.email for p in q.parties(s, row.referral_id, Role.REFERRER)][0],
                         [p.email for p in q.parties(s, row.referral_id, Role.PROSPECT)])]
        assert readings == [("sarah@fernhilldental.example", ["pete@hargreaveselectrical.example"])]
