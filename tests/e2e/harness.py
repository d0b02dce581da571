"""A cast of fresh mailboxes on the shared mail world, and the real `refmail` command run against it."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

from refmail.demo import intro_email, world_env
from refmail.domain.types import OutgoingMail, Person
from refmail.mail.smtp import SmtpTransport
from refmail.mail.world import MailWorld


# One in-process CLI call at a time: each swaps the process's environment and working folder, and two
# overlapping calls left the second's environment behind (a later test then read another test's store).
_IN_PROCESS = threading.Lock()


def _in_process(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    if not _IN_PROCESS.acquire(blocking=False):
        raise RuntimeError("in-process CLI calls must not overlap: run concurrent ones with cli_subprocess")
    try:
        return _swapped_in(argv, env, cwd)
    finally:
        _IN_PROCESS.release()


def _swapped_in(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    import contextlib
    import io

    from refmail.cli import main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
    return subprocess.CompletedProcess(["refmail", *argv], code, out.getvalue(), err.getvalue())


@dataclass
class Cast:
    """One story's people, each with a mailbox of their own, and the CLI pointed at them."""

    world: MailWorld
    data_dir: Path
    owner: Person
    assistant: str
    referrer: Person
    prospect: Person
    extra: dict[str, Person] = field(default_factory=dict)
    env_overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    def new(cls, world: MailWorld, data_dir: Path, **overrides: str) -> "Cast":
        tag = uuid.uuid4().hex[:8]
        people = {
            "owner": Person("Olivia Owner", f"owner-{tag}@example.com"),
            "referrer": Person("Alice Source", f"alice-{tag}@example.org"),
            "prospect": Person("Carol Prospect", f"carol-{tag}@example.net"),
        }
        assistant = f"assistant-{tag}@example.com"
        for email in [p.email for p in people.values()] + [assistant]:
            world.add_user(email)
        return cls(world, data_dir, people["owner"], assistant, people["referrer"], people["prospect"],
                   env_overrides=dict(overrides))

    def person(self, key: str, name: str, domain: str = "example.net") -> Person:
        tag = uuid.uuid4().hex[:8]
        p = Person(name, f"{name.split()[0].lower()}-{tag}@{domain}")
        self.world.add_user(p.email)
        self.extra[key] = p
        return p

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REFMAIL_")}
        env.update(world_env(self.world, self.owner, self.assistant, self.data_dir))
        env.update(self.env_overrides)
        return env

    def cli(self, *args: str, now: datetime, check: bool = True) -> subprocess.CompletedProcess[str]:
        """The real command line. In-process by default (same argv, environment and output, minus ~2 s of
        interpreter start per call); REFMAIL_E2E_SUBPROCESS=1 or `subprocess=True` runs `python -m refmail`."""
        return self.run_cli(args, now, check, subprocess_mode=os.environ.get("REFMAIL_E2E_SUBPROCESS") == "1")

    def cli_subprocess(self, *args: str, now: datetime, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run_cli(args, now, check, subprocess_mode=True)

    def run_cli(self, args: tuple[str, ...], now: datetime, check: bool,
                subprocess_mode: bool) -> subprocess.CompletedProcess[str]:
        env = self.env | {"REFMAIL_NOW": now.isoformat()}
        if subprocess_mode:
            done = subprocess.run([sys.executable, "-m", "refmail", *args], env=env, cwd=self.data_dir,
                                  capture_output=True, text=True, timeout=180)
        else:
            done = _in_process(list(args), env, self.data_dir)
        if check and done.returncode != 0:
            raise AssertionError(f"refmail {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def cli_json(self, *args: str, now: datetime) -> Any:
        return json.loads(self.cli(*args, "--json", now=now).stdout)

    def cycle(self, now: datetime) -> str:
        return self.cli("run", "--once", now=now).stdout

    def send(self, mail: OutgoingMail) -> None:
        with SmtpTransport(self.world.smtp_host, self.world.smtp_port, security="none") as smtp:
            smtp.send(mail)

    def introduce(self, at: datetime, **kwargs: Any) -> OutgoingMail:
        mail = intro_email(self.referrer, self.owner, self.prospect, self.assistant, at, **kwargs)
        self.send(mail)
        return mail

    def inbox(self, who: Person | str, folder: str = "INBOX") -> list[Message]:
        email = who.email if isinstance(who, Person) else who
        return [message_from_bytes(raw, policy=default) for raw in self.world.messages(email, folder)]

    def from_refmail(self, who: Person | str, folder: str = "INBOX") -> list[Message]:
        return [m for m in self.inbox(who, folder) if m.get("X-Refmail")]


def message(sender: Person, to: list[Person], subject: str, body: str, at: datetime,
            in_reply_to: str | None = None, headers: dict[str, str] | None = None,
            envelope_from: str | None = None) -> OutgoingMail:
    """A hand-written message (a reply, an out-of-office, a bounce) as the world will deliver it."""
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime, make_msgid

    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender.formatted()
    msg["To"] = ", ".join(p.formatted() for p in to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = make_msgid(domain=sender.email.rpartition("@")[2])
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return OutgoingMail(msg["Message-ID"].strip("<>"), envelope_from if envelope_from is not None else sender.email,
                        tuple(p.email for p in to), msg.as_bytes())


def workers(cast: "Cast", url: str, n: int, start: datetime) -> list:
    """`n` apps sharing one database (PostgreSQL), each its own worker, clocks at ``start``."""
    from refmail.clock import FixedClock
    from refmail.config import load_settings
    from refmail.wiring import build_app

    env = {k: v for k, v in cast.env.items() if k.startswith("REFMAIL_")} | {"REFMAIL_DATABASE_URL": url}
    apps = []
    for i in range(n):
        app = build_app(load_settings(environ=env), clock=FixedClock(start))
        app.worker_id = f"worker-{i}"
        apps.append(app)
    return apps


def together(apps: list, now: datetime) -> None:
    """One cycle of every worker at the same moment (threads released together)."""
    from refmail.daemon import run_once
    from tests.fakes import at_once

    errors = at_once(*(lambda app=app: run_once(app, now) for app in apps))
    assert not errors, errors
