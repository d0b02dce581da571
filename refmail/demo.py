"""`refmail demo`: the whole story on a throw-away local mail world, with a simulated clock."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from refmail.clock import FixedClock
from refmail.domain.outbox import DraftEvent
from refmail.domain.types import OutgoingMail, Person

OWNER = Person("Olivia Owner", "owner@example.com")
ASSISTANT = "assistant@example.com"
ALICE = Person("Alice Source", "alice@example.org")
CAROL = Person("Carol Prospect", "carol@example.net")


def world_env(world, owner: Person, assistant: str, data_dir: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """REFMAIL_* settings that point refmail at a MailWorld."""
    return {
        "REFMAIL_OWNER": owner.formatted(),
        "REFMAIL_ASSISTANT": assistant,
        "REFMAIL_IMAP_HOST": world.imap_host,
        "REFMAIL_IMAP_PORT": str(world.imap_port),
        "REFMAIL_IMAP_USER": owner.email,
        "REFMAIL_IMAP_PASSWORD": world.password(owner.email),
        "REFMAIL_IMAP_SECURITY": "none",
        "REFMAIL_INTAKE_IMAP_USER": assistant,
        "REFMAIL_INTAKE_IMAP_PASSWORD": world.password(assistant),
        "REFMAIL_SMTP_HOST": world.smtp_host,
        "REFMAIL_SMTP_PORT": str(world.smtp_port),
        "REFMAIL_SMTP_SECURITY": "none",
        "REFMAIL_DATABASE_URL": f"sqlite:///{data_dir / 'refmail.db'}",
        "REFMAIL_DATA_DIR": str(data_dir),
        "REFMAIL_SECRET": "demo-secret-not-for-production",
    }


def intro_email(referrer: Person, owner: Person, prospect: Person, assistant: str, at: datetime,
                body: str | None = None, subject: str | None = None) -> OutgoingMail:
    """A typical double-sided introduction, CC'ing the assistant."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = referrer.formatted()
    msg["To"] = f"{owner.formatted()}, {prospect.formatted()}"
    msg["Cc"] = assistant
    msg["Subject"] = subject or f"Intro: {owner.name.split()[0]} <> {prospect.name.split()[0]}"
    msg["Date"] = format_datetime(at)
    mid = make_msgid(domain=referrer.email.rpartition("@")[2])
    msg["Message-ID"] = mid
    o, p, r = owner.name.split()[0], prospect.name.split()[0], referrer.name.split()[0]
    msg.set_content(body or (
        f"{o}, meet {p}. {p} runs operations at a logistics firm and is looking for help with a pricing review;\n"
        f"{o} did exactly that for us last year and I can't recommend her enough.\n\n"
        f"{p}, meet {o}. I'll let you two take it from here.\n\nBest,\n{r}\n"))
    recipients = (owner.email, prospect.email, assistant)
    return OutgoingMail(mid.strip("<>"), referrer.email, recipients, msg.as_bytes())


def _say(text: str) -> None:
    print(text, flush=True)


def run_demo(keep: bool = False) -> int:
    from refmail.app import decide, report
    from refmail.config import load_settings
    from refmail.daemon import run_once
    from refmail.mail.smtp import SmtpTransport
    from refmail.mail.world import MailWorld
    from refmail.wiring import build_app

    base = Path(tempfile.mkdtemp(prefix="refmail-demo-"))
    base.chmod(0o755)  # Dovecot's login and auth processes must reach the world below it
    _say(f"refmail demo: a private Dovecot + SMTP world in {base}")
    world = MailWorld.start(users=[OWNER.email, ASSISTANT, ALICE.email, CAROL.email], base_dir=base / "world")
    try:
        env = world_env(world, OWNER, ASSISTANT, base / "data")
        clock = FixedClock(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))  # a Monday morning
        app = build_app(load_settings(environ=env), clock=clock)
        smtp = SmtpTransport(world.smtp_host, world.smtp_port, security="none")

        _say("\n1. Alice introduces Olivia (the owner) to Carol and CCs the assistant.")
        smtp.send(intro_email(ALICE, OWNER, CAROL, ASSISTANT, clock.now()))
        _say(f"   cycle: {run_once(app, clock.now())}")
        for ref in report.referrals(app):
            _say(f"   referral {ref['id']}: {ref['state']}, referrer {ref['referrer']['email']}, "
                 f"prospects {', '.join(p['email'] for p in ref['prospects'])}")
        drafts = report.drafts(app)
        for d in drafts:
            _say(f"   draft {d['id']} ({d['kind']}) to {', '.join(d['to'])}: \"{d['subject']}\"")

        _say("\n2. Olivia approves both drafts (`refmail approve ID`); the next cycle sends them.")
        for d in drafts:
            _say("   " + decide.decide_by_id(app, d["id"], DraftEvent.APPROVED, "cli").message)
        clock.advance(timedelta(minutes=5))
        _say(f"   cycle: {run_once(app, clock.now())}")
        inbox = world.messages(CAROL.email)
        ours = [m for m in inbox if b"X-Refmail" in m]
        _say(f"   Carol received {len(ours)} message(s) from refmail; Olivia's Sent holds "
             f"{len(world.messages(OWNER.email, 'Sent'))}.")

        _say("\n3. Carol stays silent. Three business days after the first touch, refmail drafts the second message.")
        clock.advance(timedelta(days=4))
        _say(f"   cycle: {run_once(app, clock.now())}")
        for d in report.drafts(app):
            _say(f"   draft {d['id']} ({d['kind']}): \"{d['subject']}\"")
            decide.decide_by_id(app, d["id"], DraftEvent.APPROVED, "cli")
        clock.advance(timedelta(minutes=5))
        _say(f"   approved; cycle: {run_once(app, clock.now())}")

        _say("\n4. Carol replies. The cadence stops and a keep-in-the-loop note for Alice is drafted.")
        first = report.referrals(app)[0]
        shown = report.show(app, first["id"]) or {}
        last_sent = [d for d in shown.get("drafts", []) if d["status"] == "sent"][-1]
        reply = EmailMessage(policy=SMTP)
        reply["From"], reply["To"] = CAROL.formatted(), OWNER.formatted()
        reply["Subject"] = last_sent["subject"] if last_sent["subject"].startswith("Re: ") else "Re: " + last_sent["subject"]
        reply["Message-ID"] = make_msgid(domain="example.net")
        sent_ids = [t["detail"].get("message_id") for t in shown["timeline"] if t["kind"] == "message_out"]
        reply["In-Reply-To"] = f"<{sent_ids[-1]}>"
        reply["Date"] = format_datetime(clock.now())
        reply.set_content("Hi Olivia, sorry for the slow answer. Thursday at 10 works for me.\n\nCarol\n")
        smtp.send(OutgoingMail(reply["Message-ID"].strip("<>"), CAROL.email, (OWNER.email,), reply.as_bytes()))
        clock.advance(timedelta(minutes=5))
        _say(f"   cycle: {run_once(app, clock.now())}")
        shown = report.show(app, first["id"]) or {}
        _say(f"\n5. Referral {shown['id']} is now '{shown['state']}'. Its timeline:")
        for t in shown["timeline"]:
            _say(f"   {t['at'][:16]}  {t['text']}")
        smtp.close()
        _say("\nThat is refmail: every intro followed up, nothing sent without approval. "
             "Point REFMAIL_* at your own mailbox and run `refmail run`.")
        return 0
    finally:
        world.stop()
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            _say(f"(kept {base})")
