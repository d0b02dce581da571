"""The digest: sections from a snapshot, well-formed escaped HTML, once per local day, skipped when empty."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from html.parser import HTMLParser
from pathlib import Path

import pytest

from refmail.app import approval_mail, digest_mail
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.domain import digest as dg
from refmail.domain.types import OutgoingMail
from refmail.store import models as m
from refmail.store import queries as q
from refmail.app.context import App
from refmail.wiring import build_app
from tests.fakes import Outbox

MONDAY_8 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
HOSTILE_NAME = '<script>alert("x")</script> Mallory'
HOSTILE_SUBJECT = "Hello\r\nBcc: victim@example.net\r\n<img src=x onerror=alert(1)>"


def make_app(tmp_path: Path, now: datetime = MONDAY_8, rules: str | None = None) -> App:
    env = {
        "REFMAIL_OWNER": "Olivia Owner <owner@example.com>",
        "REFMAIL_ASSISTANT": "assistant@example.com",
        "REFMAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'refmail.db'}",
        "REFMAIL_SECRET": "unit-secret-long-enough",
        "REFMAIL_DATA_DIR": str(tmp_path),
    }
    if rules is not None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        path = tmp_path / "rules.yaml"
        path.write_text(rules)
        env["REFMAIL_RULES"] = str(path)
    return build_app(load_settings(environ=env), clock=FixedClock(now))


def seed(app: App, now: datetime, prospect_name: str = "Carol Prospect", subject: str = "Alice suggested we connect",
         rid: str = "r0000001", did: str = "d0000001") -> None:
    with app.sessions.begin() as s:
        s.add(m.Referral(id=rid, state="awaiting_approval", intro_message_id=f"intro-{rid}@example.org",
                         intro_subject="Intro: Olivia <> Carol", cadence={}, created_at=now, updated_at=now))
        s.flush()
        s.add(m.Party(referral_id=rid, role="referrer", email="alice@example.org", name="Alice Source", added_at=now))
        s.add(m.Party(referral_id=rid, role="prospect", email="carol@example.net", name=prospect_name, added_at=now))
        s.add(m.Draft(id=did, referral_id=rid, kind="first_touch", status=q.PENDING_DRAFT,
                      to=[{"name": prospect_name, "email": "carol@example.net"}], cc=[], subject=subject,
                      body="Hi Carol,\n\nShall we talk?\n\nOlivia\n", message_id=f"refmail.{did}.x@example.com",
                      in_reply_to=None, references=[], due_at=now + timedelta(days=1), created_at=now))


class WellFormed(HTMLParser):
    """Every opened element closed in order; records tags and text so tests can look for injections."""

    VOID = {"meta", "br", "img", "hr", "input", "link"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, _ in attrs:
            if name.startswith("on"):
                self.errors.append(f"event handler attribute {name}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(html: str) -> WellFormed:
    parser = WellFormed()
    parser.feed(html)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    return parser


# ---- the pure part ------------------------------------------------------------


def test_empty_snapshot_has_nothing_to_say() -> None:
    digest = dg.build(dg.Snapshot(date(2026, 1, 5), MONDAY_8, None))
    assert not digest.has_news
    assert digest.headline == "nothing new"
    assert digest.subject.startswith("[refmail] Digest")


def test_sections_keep_their_order_and_the_headline_counts() -> None:
    items = {
        dg.SectionKind.REFUSED: (dg.Item("answer from x"),),
        dg.SectionKind.AWAITING: (dg.Item("a"), dg.Item("b")),
        dg.SectionKind.REPLIES: (dg.Item("c"),),
    }
    digest = dg.build(dg.Snapshot(date(2026, 1, 5), MONDAY_8, None, items))
    assert [s.kind for s in digest.sections] == [dg.SectionKind.AWAITING, dg.SectionKind.REPLIES,
                                                 dg.SectionKind.REFUSED]
    assert digest.headline == "2 drafts to approve, 1 reply, 1 problem"
    assert digest.has_news


def test_snippet_is_one_line_and_short() -> None:
    assert dg.snippet("a\nb\r\n  c") == "a b c"
    assert len(dg.snippet("word " * 200)) == 240


# ---- rendering -------------------------------------------------------------------


def test_html_is_well_formed_and_escapes_hostile_values(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed(app, MONDAY_8 - timedelta(hours=1), prospect_name=HOSTILE_NAME, subject=HOSTILE_SUBJECT)
    digest, _ = digest_mail.build(app, MONDAY_8)
    subject, text, html = digest_mail.render(app, digest)
    parser = check_html(html)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert HOSTILE_NAME in "".join(parser.text)  # shown, as text
    assert "&lt;script&gt;" in html
    assert "AWAITING YOUR APPROVAL (1)" in text and "refmail approve d0000001" in text
    assert "\n" not in subject and subject.startswith("[refmail] Digest")


def test_html_styles_are_inlined_for_mail_clients_that_drop_style_blocks(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed(app, MONDAY_8 - timedelta(hours=1))
    digest, _ = digest_mail.build(app, MONDAY_8)
    html = digest_mail.render(app, digest)[2]
    assert "<style" not in html
    assert re.search(r'<h1 style="[^"]*font-size: 22px;', html)
    # the awaiting section keeps its blue heading and its items their blue rule
    assert re.search(r'<h2 class="ask" style="[^"]*color: #1d4ed8;', html)
    assert re.search(r'<td class="entry ask" style="[^"]*border-left: 3px solid #3b82f6;', html)


def test_digest_mail_is_multipart_alternative_with_safe_headers(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed(app, MONDAY_8 - timedelta(hours=1), prospect_name=HOSTILE_NAME, subject=HOSTILE_SUBJECT)
    outbox = Outbox()
    assert digest_mail.send_if_due(app, outbox, MONDAY_8)
    msg = message_from_bytes(outbox.sent[0].data, policy=default)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Bcc"] is None and msg["X-Refmail"] == "digest"
    assert msg["To"] == "Olivia Owner <owner@example.com>"
    assert str(msg["Subject"]).startswith("[refmail] Digest")
    check_html(msg.get_body(("html",)).get_content())
    assert outbox.sent[0].recipients == ("owner@example.com",)


def test_approval_mail_single_lines_a_hostile_subject(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed(app, MONDAY_8, prospect_name=HOSTILE_NAME, subject="Hello\r\nBcc: victim@example.net\n<b>hi</b>")
    outbox = Outbox()
    assert approval_mail.request_approvals(app, outbox, MONDAY_8) == 1
    msg = message_from_bytes(outbox.sent[0].data, policy=default)
    assert msg["Bcc"] is None
    assert str(msg["Subject"]) == "[refmail] Approve: Hello Bcc: victim@example.net <b>hi</b>"
    assert msg["From"] == "refmail <assistant@example.com>" and msg["Reply-To"] == "assistant@example.com"
    assert msg["Message-ID"].strip().startswith("<refmail.approve.d0000001.")  # folding may put it on a new line
    body = msg.get_content()
    assert "refmail approve d0000001" in body and msg["Message-ID"].strip().strip("<>") in body
    # asked once: the next cycle does not ask again
    assert approval_mail.request_approvals(app, outbox, MONDAY_8 + timedelta(minutes=1)) == 0


# ---- once a day ----------------------------------------------------------------------


def test_sent_once_per_business_day_across_restarts(tmp_path: Path) -> None:
    outbox = Outbox()
    app = make_app(tmp_path)
    seed(app, MONDAY_8 - timedelta(days=3))  # a pending draft is always worth a line
    assert not digest_mail.send_if_due(app, outbox, MONDAY_8 - timedelta(minutes=1))
    assert digest_mail.send_if_due(app, outbox, MONDAY_8)
    assert not digest_mail.send_if_due(app, outbox, MONDAY_8 + timedelta(hours=3))
    restarted = make_app(tmp_path)
    assert not digest_mail.send_if_due(restarted, outbox, MONDAY_8 + timedelta(hours=4))
    saturday = MONDAY_8 + timedelta(days=5, hours=2)
    assert not digest_mail.send_if_due(restarted, outbox, saturday)
    assert digest_mail.send_if_due(make_app(tmp_path), outbox, MONDAY_8 + timedelta(days=1))
    assert len(outbox.sent) == 2
    with app.sessions() as s:
        days = sorted(r.day for r in s.query(m.DigestRun) if r.sent_at)
    assert days == [date(2026, 1, 5), date(2026, 1, 6)]


class Inbox:
    """The owner's mailbox, as far as settling a crashed digest needs it (a fake of our Mailbox port)."""

    def __init__(self, holds: set[str] | None = None, down: bool = False) -> None:
        self.holds, self.down = holds or set(), down

    def contains_message_id(self, folder: str, message_id: str) -> bool:
        from refmail.mail.ports import MailError

        if self.down:
            raise MailError("IMAP down")
        return folder == "INBOX" and message_id in self.holds


def _crashed_after_claiming(app: App) -> None:
    """What a worker killed between SMTP and the record leaves: a claim two hours old, nothing sent."""
    with app.sessions.begin() as s:
        s.add(m.DigestRun(day=date(2026, 1, 5), claimed_at=MONDAY_8 - timedelta(hours=1)))


@pytest.mark.parametrize(("inbox", "resent", "recorded"), [
    (Inbox({"refmail.digest.2026-01-05@example.com"}), False, True),  # it arrived: recorded, not resent
    (Inbox(), True, True),  # it never went: sent now
    (Inbox(down=True), False, False),  # cannot tell: a missing digest beats a doubled one
    (None, False, False),
], ids=["arrived", "never-sent", "imap-down", "no-imap"])
def test_a_digest_claimed_by_a_crashed_worker_is_never_sent_twice(tmp_path: Path, inbox, resent: bool,
                                                                  recorded: bool) -> None:
    app = make_app(tmp_path)
    seed(app, MONDAY_8 - timedelta(days=3))
    _crashed_after_claiming(app)
    outbox = Outbox()
    assert digest_mail.send_if_due(app, outbox, MONDAY_8 + timedelta(hours=1), inbox) is resent
    assert len(outbox.sent) == int(resent)
    with app.sessions() as s:
        assert (s.get(m.DigestRun, date(2026, 1, 5)).sent_at is not None) is recorded
    assert not digest_mail.send_if_due(app, outbox, MONDAY_8 + timedelta(hours=3), Inbox())  # and that settles it


def test_owner_time_zone_decides_the_day_and_hour(tmp_path: Path) -> None:
    app = make_app(tmp_path, rules="timezone: America/New_York\n")
    seed(app, MONDAY_8 - timedelta(days=3))
    outbox = Outbox()
    assert not digest_mail.send_if_due(app, outbox, MONDAY_8)  # 03:00 in New York
    assert digest_mail.send_if_due(app, outbox, datetime(2026, 1, 5, 13, 0, tzinfo=UTC))  # 08:00 there


def test_nothing_to_say_is_skipped_unless_the_rule_asks(tmp_path: Path) -> None:
    outbox = Outbox()
    app = make_app(tmp_path)
    assert not digest_mail.send_if_due(app, outbox, MONDAY_8)
    assert outbox.sent == []
    eager = make_app(tmp_path / "eager", rules="digest:\n  send_when_empty: true\n")
    assert digest_mail.send_if_due(eager, outbox, MONDAY_8)
    assert "nothing new" in str(message_from_bytes(outbox.sent[0].data, policy=default)["Subject"])


def test_a_failed_send_gives_the_day_back(tmp_path: Path) -> None:
    class Down(Outbox):
        def send(self, mail: OutgoingMail) -> None:
            from refmail.mail.ports import MailError

            raise MailError("connection refused")

    app = make_app(tmp_path)
    seed(app, MONDAY_8)
    from refmail.mail.ports import MailError

    with pytest.raises(MailError):
        digest_mail.send_if_due(app, Down(), MONDAY_8)
    outbox = Outbox()
    assert digest_mail.send_if_due(app, outbox, MONDAY_8 + timedelta(minutes=1))


def test_refused_attempts_are_reported_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with app.sessions.begin() as s:
        s.add(m.ApprovalAttempt(message_id="spoof@x", at=MONDAY_8, sender="owner@example.com", draft_id=None,
                                accepted=False, reason="no approval token"))
    outbox = Outbox()
    assert digest_mail.send_if_due(app, outbox, MONDAY_8)
    text = message_from_bytes(outbox.sent[0].data, policy=default).get_body(("plain",)).get_content()
    assert "REFUSED APPROVAL ATTEMPTS (1)" in text
    assert "no approval token" in text
    with app.sessions() as s:
        assert s.query(m.ApprovalAttempt).one().reported_at == MONDAY_8
    assert "no approval token" not in digest_mail.print_today(app)


def test_print_today_shows_the_text_part(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed(app, MONDAY_8)
    out = digest_mail.print_today(app)
    assert out.startswith("Hi Olivia,") and "AWAITING YOUR APPROVAL (1)" in out
