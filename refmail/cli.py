"""The command line: parse arguments, call the app, print. Exit 0 ok, 1 a problem to fix, 2 wrong usage."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any

from refmail.config import load_rules, load_settings, prepare_data_dir
from refmail.domain.lifecycle import State
from refmail.errors import ConfigError, InternalError, RefmailError, UsageError, UserError

COMMANDS = ("run", "parse", "drafts", "approve", "reject", "referrals", "show", "outcome", "sources", "digest",
            "quarantine", "questions", "answer", "demo", "db", "claim", "resolve")
COMMANDS += ("doctor", "init")  # issue 12 (kept on its own line so parallel additions merge cleanly)
COMMANDS += ("shadow",)  # issue 12: shadow mode
COMMANDS += ("auth",)  # issue 12, OAuth2 sign-in (its own line, for the same reason)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds, 1 or more, not {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="refmail", description="Follow up every introduction, on time, by email.")
    p.add_argument("--config", help="TOML settings file (environment variables win)")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="the daemon: poll, follow up, send, digest")
    run.add_argument("--once", action="store_true", help="one full cycle, then exit")
    run.add_argument("--interval", type=_positive, default=60, help="seconds between cycles (default 60)")

    parse = sub.add_parser("parse", help="what refmail understands of each message")
    parse.add_argument("files", nargs="+", metavar="FILE.eml")
    parse.add_argument("--owner", help="the owner's address (default: REFMAIL_OWNER)")
    parse.add_argument("--json", action="store_true")

    drafts = sub.add_parser("drafts", help="drafts awaiting approval")
    drafts.add_argument("--json", action="store_true")
    drafts.add_argument("--all", action="store_true", help="every draft, whatever its status")

    approve = sub.add_parser("approve", help="approve a draft (it goes out in the next send window)")
    approve.add_argument("id")
    approve.add_argument("--edit", action="store_true", help="edit the body in $EDITOR first")
    reject = sub.add_parser("reject", help="skip a draft")
    reject.add_argument("id")

    resolve = sub.add_parser("resolve", help="settle a draft whose sending could not be confirmed")
    resolve.add_argument("id")
    resolve.add_argument("verdict", choices=("sent", "resend"),
                         help="sent: it arrived, clear the flag; resend: it did not, send it again (new Message-ID)")

    refs = sub.add_parser("referrals", help="referrals and their state")
    refs.add_argument("--state", choices=[s.value for s in State], metavar="STATE",
                      help="only referrals in this state: " + ", ".join(s.value for s in State))
    refs.add_argument("--json", action="store_true")
    show = sub.add_parser("show", help="one referral's timeline")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    outcome = sub.add_parser("outcome", help="record how a referral ended")
    outcome.add_argument("id")
    outcome.add_argument("outcome", choices=("met", "won", "lost"))
    claim = sub.add_parser("claim", help="say whose a reply on a group intro's thread was")
    claim.add_argument("id", help="the referral (one prospect's track) the reply belongs to")
    claim.add_argument("address", help="the address the reply came from")
    sources = sub.add_parser("sources", help="per-referrer statistics")
    sources.add_argument("--json", action="store_true")

    digest = sub.add_parser("digest", help="today's digest")
    mode = digest.add_mutually_exclusive_group()
    mode.add_argument("--send", action="store_true", help="send it now")
    mode.add_argument("--print", action="store_true", help="print it (default)")

    quarantine = sub.add_parser("quarantine", help="messages refmail could not handle (kept whole)")
    quarantine.add_argument("--retry", metavar="N|all", help="process message N (or all) again next cycle")
    quarantine.add_argument("--json", action="store_true")

    questions = sub.add_parser("questions", help="messages refmail could not place and asked you about")
    questions.add_argument("--json", action="store_true")
    answer = sub.add_parser("answer", help="settle a question: a reading's number, no, or who introduced whom")
    answer.add_argument("id")
    answer.add_argument("choice", nargs="?", metavar="N|no", help="the right reading's number, or no (not an intro)")
    answer.add_argument("--referrer", metavar="ADDR", help="who made the introduction")
    answer.add_argument("--prospect", metavar="ADDR", action="append", default=[],
                        help="who was introduced to you (repeat for several)")

    demo = sub.add_parser("demo", help="a self-contained tour on a throw-away local mail world")
    demo.add_argument("--keep", action="store_true", help="keep the demo folder")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply migrations (Alembic)")
    copy = db_sub.add_parser("copy", help="copy every table into another database (SQLite to PostgreSQL)")
    copy.add_argument("--to", required=True, metavar="URL", help="the target, e.g. postgresql://refmail@localhost/refmail")
    copy.add_argument("--replace", action="store_true", help="delete what the target holds first (default: refuse "
                      "a target that is not empty)")

    doctor = sub.add_parser("doctor", help="check config, rules, templates, database, IMAP, SMTP; exit 0 or 1")
    doctor.add_argument("--send-probe", action="store_true", help="also mail a probe to the assistant address and "
                        "wait for it in the intake (then delete it): proves CCs reach refmail")
    doctor.add_argument("--probe-wait", type=_positive, default=60, metavar="SECONDS",
                        help="how long to wait for the probe (default 60)")
    _add_init_parser(sub)
    _add_shadow_parser(sub)
    from refmail import auth_command

    auth_command.add_parser(sub)
    _add_log_flags(p, top=True)
    return p


class _Version(argparse._VersionAction):
    """--version, looked up only when asked (reading the installed metadata costs every other command)."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        self.version = f"refmail {_version()}"
        super().__call__(parser, namespace, values, option_string)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("refmail")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        return "unknown (not installed)"


def _add_log_flags(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """-q / -v / --log-format, before or after the command name (`refmail run -v`): on every subcommand,
    with defaults suppressed there so a flag given before the command is not reset after it."""
    default = {} if top else {"default": argparse.SUPPRESS}
    if not top:
        parser.add_argument("-v", "--verbose", action="store_true", help="detail: everything refmail does", **default)
    parser.add_argument("-q", "--quiet", action="store_true", help="problems only", **default)
    parser.add_argument("--log-format", choices=("text", "json"), help="log lines as text (default) or JSON",
                        **({"default": "text"} if top else default))
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _add_log_flags(child)


def _configure_logging(args: argparse.Namespace) -> None:
    """`run` tells what happens by default; the other commands print their answer and only problems."""
    from refmail import logs

    if args.verbose:
        mode = logs.VERBOSE
    elif args.quiet or args.command != "run":
        mode = logs.QUIET
    else:
        mode = logs.NORMAL
    logs.configure(mode, args.log_format)


def started() -> None:
    """Start-up is over: resume the cyclic collector that refmail.entry paused while modules were imported.

    What exists now lives as long as the process, so it is frozen out of every later collection (a daemon
    collects for months). In-process callers (tests) never had it paused: nothing to do for them.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


# These commands build the App before anything else: start-up ends once it is built (`_app`). Every other
# command (some run long: shadow, demo, parse of many files) gets the collector back before it starts.
BUILDS_APP = frozenset({"run", "drafts", "approve", "reject", "resolve", "referrals", "show", "outcome", "claim",
                        "sources", "digest", "quarantine", "questions", "answer"})


def _app(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from refmail.wiring import build_app

    from refmail import logs

    settings = load_settings(config_file=args.config)
    logs.add_secrets(secret_values(settings))
    app = build_app(settings)
    started()
    return app


def secret_values(settings: Any) -> list[str]:
    """Every password and key in the settings, for the log redactor."""
    from refmail.store.db import url_password

    found = [settings.intake_password, settings.secret, url_password(settings.database_url)]
    found += [server.password for server in (settings.imap, settings.smtp) if server is not None]
    return [value for value in found if value]


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _listing(rows: list[dict[str, Any]], as_json: bool, empty: str, lines: Callable[[dict[str, Any]], str]) -> int:
    """Every listing prints the same way: a JSON array, or one entry per row (or a word when there is none)."""
    if as_json:
        _print_json(rows)
    elif not rows:
        print(empty)
    else:
        for row in rows:
            print(lines(row))
    return 0


def _warn_missing_pipeline(rules: Any) -> None:
    if rules.detection_rules.pipeline == "blank":  # nothing to check, and spaCy stays unimported
        return
    from refmail.nlp_load import missing_pipeline

    name = missing_pipeline(rules.detection_rules)
    if name:  # the rules alone still read intros well; she should know her setting does nothing
        print(f"refmail: warning: detection.pipeline {name!r} is not installed (or finds no names); "
              "reading with the rules alone", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from refmail.daemon import run_forever, run_once

    app = _app(args)
    _warn_missing_pipeline(app.rules)
    if app.open_owner_mailbox is None and app.open_intake_mailbox is None:
        raise UserError("no mailbox configured: set REFMAIL_IMAP_HOST, REFMAIL_IMAP_USER and REFMAIL_IMAP_PASSWORD")
    missing = missing_parts(app)
    for part in missing:  # said out loud at start: a daemon that cannot send must not look healthy
        print(f"refmail: warning: {part}", file=sys.stderr)
    if args.once:
        report = run_once(app, app.clock.now())
        print(f"cycle done: {report}")
        # Problems were said as they happened (the log); nothing is lost (the next cycle retries).
        return 1 if report.problems or app.open_transport is None else 0
    run_forever(app, args.interval)
    return 0


def missing_parts(app: Any) -> list[str]:
    """What the configuration leaves out that a user would otherwise discover days later."""
    found = []
    if app.open_transport is None:
        found.append("no SMTP server configured (REFMAIL_SMTP_HOST, _USER, _PASSWORD): nothing can be sent, "
                     "no approval emails and no digest; approved drafts wait until it is set")
    if not app.identity.assistant:
        found.append("REFMAIL_ASSISTANT is not set: approval emails and the digest come from your own address "
                     f"({app.identity.owner.email}), and people have no assistant address to CC; "
                     "set it to the address people CC")
    return found


def cmd_parse(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from refmail.app.explain import parse_files

    env = dict(os.environ) | ({"REFMAIL_OWNER": args.owner} if args.owner else {})
    try:
        settings = load_settings(environ=env, config_file=args.config)
    except ConfigError as exc:
        if "REFMAIL_OWNER" in str(exc):
            raise UserError(f"{exc}; or pass --owner EMAIL") from None
        raise
    identity = settings.identity
    if not identity.assistant:
        # The conventional assistant@<owner's domain> is the best guess: otherwise the CC'd assistant
        # would be read as a prospect.
        identity = replace(identity, assistant=f"assistant@{identity.owner.email.rpartition('@')[2]}")
    rules = load_rules(settings.rules_path)
    _warn_missing_pipeline(rules)
    failed = False
    from refmail.wiring import pipeline_loader

    for result in parse_files(args.files, identity, rules, pipeline_loader(lambda: rules.detection_rules)):
        failed |= "error" in result
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            _print_parse(result)
    return 1 if failed else 0


def _print_parse(r: dict[str, Any]) -> None:
    if "error" in r:
        print(f"{r['file']}: error: {r['error']}")
        return
    who = lambda p: f"{p['name']} <{p['email']}>" if p and p["name"] else (p["email"] if p else "-")  # noqa: E731
    print(f"{r['file']}: {r['kind']} (confidence {r['confidence']:.2f})")
    if r["is_intro"]:
        print(f"  referrer:  {who(r['referrer'])}")
        print(f"  prospects: {', '.join(who(p) for p in r['prospects']) or '-'}")
    for reason in r["reasons"]:
        print(f"  - {reason}")


def cmd_drafts(args: argparse.Namespace) -> int:
    from refmail.app import report

    rows = report.drafts(_app(args), include_all=args.all)
    return _listing(rows, args.json, "no drafts awaiting approval", lambda d: (
        f"{d['id']}  {d['kind']:<13} {d['status']:<9} to {', '.join(d['to'])}\n    {d['subject']}"))


def _edit(body: str) -> str:
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w+", suffix=".txt", delete=False) as fh:
        fh.write(body)
        path = fh.name
    try:
        try:
            code = subprocess.call([*shlex.split(editor), path])
        except OSError as exc:
            raise UserError(f"cannot start the editor {editor!r} ({exc.strerror}): set $EDITOR; nothing approved") from None
        if code != 0:
            raise UserError(f"editor {editor!r} failed; nothing approved")
        return Path(path).read_text()
    finally:
        os.unlink(path)


def cmd_decide(args: argparse.Namespace) -> int:
    from refmail.app import report
    from refmail.app.decide import decide_by_id
    from refmail.domain.outbox import DraftEvent

    app = _app(args)
    body = None
    if args.command == "approve" and args.edit:
        match = [d for d in report.drafts(app) if args.id and d["id"].startswith(args.id.lower())]
        if len(match) != 1:
            raise UserError(f"no draft {args.id!r} awaiting approval")
        body = _edit(match[0]["body"])
        if not body.strip():
            raise UserError("the edited text is empty; nothing approved")
    action = DraftEvent.APPROVED if args.command == "approve" else DraftEvent.REJECTED
    decision = decide_by_id(app, args.id, action, "cli", body)
    if not decision.changed:  # already decided or sent: nothing happened, and a script should know
        raise UserError(decision.message)
    print(decision.message)
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from refmail.app.resolve import Verdict, resolve

    print(resolve(_app(args), args.id, Verdict(args.verdict)))
    return 0


def cmd_referrals(args: argparse.Namespace) -> int:
    from refmail.app import report

    rows = report.referrals(_app(args), args.state)

    def line(r: dict[str, Any]) -> str:
        nxt = r["next_action"]
        ref = r["referrer"]["email"] if r["referrer"] else "-"
        return (f"{r['id']}  {r['state']:<18} {', '.join(p['email'] for p in r['prospects'])}  via {ref}"
                + (f"  next: {nxt['kind']} {nxt['due_at'][:16]}" if nxt else ""))

    return _listing(rows, args.json, "no referrals yet", line)


def cmd_show(args: argparse.Namespace) -> int:
    from refmail.app import report

    r = report.show(_app(args), args.id)
    if r is None:
        raise UserError(f"no referral {args.id!r} (see `refmail referrals`)")
    if args.json:
        _print_json(r)
        return 0
    print(f"referral {r['id']}: {r['state']}  ({r['subject']})")
    print(f"  referrer:  {', '.join(p['email'] for p in r['referrers']) or '-'}")
    also = r.get("also_writes_from") or {}
    print("  prospects: " + ", ".join(p["email"] + (f" (also writes from {', '.join(also[p['email']])})"
                                                    if also.get(p["email"]) else "") for p in r["prospects"]))
    print(f"  time zone: {r['time_zone']['zone']} ({r['time_zone']['why']})")
    if r.get("group"):
        print("  group intro, other tracks: " + ", ".join(f"{g['id']} {g['state']} ({g['prospect']})"
                                                          for g in r["group"]))
    if r.get("meeting_at"):
        print(f"  meeting: {r['meeting_at'][:16]}")
    from refmail.domain.digest import snippet

    for t in r["timeline"]:
        print(f"  {t['at'][:16]}  {t['kind']:<11} {t['text']}")
        said = (t.get("detail") or {}).get("reply_text")
        if said:  # what the prospect wrote, at a glance (`--json` has it whole)
            print(f"{'':31}> {snippet(said, 160)}")
    nxt = r["next_action"]
    print(f"  next: {nxt['kind']} at {nxt['due_at'][:16]}" if nxt else "  next: nothing scheduled")
    for d in r["drafts"]:
        if d["status"] == "uncertain":  # until she settles it, every look at the referral says so
            print(f"  unconfirmed: {d['kind']} {d['id']} to {', '.join(d['to'])} may or may not have gone out "
                  f"(counted as sent). Settle it: refmail resolve {d['id']} sent|resend")
    return 0


def cmd_outcome(args: argparse.Namespace) -> int:
    from refmail.app.decide import mark_outcome

    print(mark_outcome(_app(args), args.id, args.outcome))
    return 0


def cmd_claim(args: argparse.Namespace) -> int:
    from refmail.app.claim import claim

    print(claim(_app(args), args.id, args.address))
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from refmail.app import report

    rows = report.sources(_app(args))

    def line(r: dict[str, Any]) -> str:
        name = f"{r['name']} <{r['email']}>" if r["name"] else r["email"]
        med = "-" if r["median_days_to_reply"] is None else f"{r['median_days_to_reply']}"
        return (f"{name[:36]:<36} {r['intros']:>6} {r['replied']:>7} {r['met']:>3} {r['won']:>3}  "
                f"{r['reply_rate']:>10.0%}  {med:>11}  {r['intros_made']:>8}")

    if rows and not args.json:
        print(f"{'person':<36} intros replied met won  reply rate  median days  you made")
    code = _listing(rows, args.json, "no referrers yet", line)
    owed = [r for r in rows if r["you_owe"]]
    if owed and not args.json:
        print("\nYou owe (their intro became a meeting or a win; no thank-you, update or intro since):")
        for r in owed:
            print(f"  {r['name']} <{r['email']}>" if r["name"] else f"  {r['email']}")
    return code


def cmd_digest(args: argparse.Namespace) -> int:
    from refmail.app import digest_mail

    app = _app(args)
    if args.send:
        return digest_mail.send_now_cli(app)
    print(digest_mail.print_today(app))
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from refmail.app import quarantine

    app = _app(args)
    if args.retry:
        try:
            count = quarantine.retry(app, args.retry)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        print(f"{count} message(s) will be processed again in the next cycle")
        return 0
    return _listing(quarantine.listing(app), args.json, "nothing in quarantine", lambda r: (
        f"{r['id']:>5}  {r['at'][:16]}  {r['stage']:<8} {r['from'] or '-'}: {r['subject'] or '(no subject)'}\n"
        f"       {r['error']}"))


def cmd_questions(args: argparse.Namespace) -> int:
    from refmail.app import questions

    def line(r: dict[str, Any]) -> str:
        head = f"{r['id']}  {r['received_at'][:16]}  {r['from'] or '-'}: {r['subject'] or '(no subject)'}" + (
            "  (a possible intro in your inbox)" if r["kind"] == "possible_intro" else "")
        texts = r["lines"] or ["refmail could not name who is introduced"]
        return "\n".join([head] + [f"    {i}. {t}" for i, t in enumerate(texts, 1)])

    return _listing(questions.listing(_app(args)), args.json, "no open questions", line)


def cmd_answer(args: argparse.Namespace) -> int:
    from refmail.app import questions
    from refmail.domain import questions as qs

    given = bool(args.referrer or args.prospect)
    if given == (args.choice is not None):
        raise UsageError("answer", "answer takes a reading's number, or no, or --referrer ADDR with --prospect ADDR")
    if given:
        if not args.referrer or not args.prospect:
            raise UsageError("answer", "--referrer and --prospect go together")
        answer = qs.given(args.referrer, args.prospect)
    elif args.choice.strip().lower() == "no":
        answer = qs.Answer(qs.AnswerKind.NO)
    elif args.choice.strip().isdigit():
        answer = qs.Answer(qs.AnswerKind.PICK, number=int(args.choice))
    else:
        raise UsageError("answer", f"expected a reading's number or no, not {args.choice!r}")
    if answer.kind is qs.AnswerKind.UNCLEAR:
        raise UserError(answer.why)
    settled = questions.answer_by_id(_app(args), args.id, answer, "cli")
    if not settled.changed:
        raise UserError(settled.message)
    print(settled.message)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from refmail.demo import run_demo

    return run_demo(keep=args.keep)


def cmd_db(args: argparse.Namespace) -> int:
    from refmail.store import db

    settings = load_settings(config_file=args.config, need_owner=False)
    if args.db_command == "copy":
        return _db_copy(settings, args.to, args.replace)
    prepare_data_dir(settings)
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    print("database is up to date")
    return 0


def _db_copy(settings: Any, url: str, replace: bool) -> int:
    from refmail import logs
    from refmail.store import db
    from refmail.store.copy import CopyError, copy_all

    logs.add_secrets([p for p in (db.url_password(url), db.url_password(settings.database_url)) if p])
    shown = db.hide_password(url, url)
    if url == settings.database_url:
        raise UserError("db copy: the target is the database refmail already uses (REFMAIL_DATABASE_URL)")
    if settings.database_url.startswith("sqlite:///"):
        path = Path(settings.database_url.removeprefix("sqlite:///").partition("?")[0]).expanduser()
        if not path.is_file():  # never create an empty source just to copy nothing out of it
            raise UserError(f"db copy: there is no database at {path} to copy (REFMAIL_DATABASE_URL)")
    from sqlalchemy.exc import DBAPIError

    try:
        target = db.make_engine(url)
        with target.connect():
            pass
    except db.DatabaseURLError as exc:  # its message names REFMAIL_DATABASE_URL: here the URL is --to's
        raise UserError("db copy: " + str(exc).replace("REFMAIL_DATABASE_URL", "--to")) from None
    except DBAPIError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(db.hide_password(f"db copy: cannot connect to {shown} ({first}); check the URL, "
                                         "that the database exists and the server runs", url)) from None
    source = db.make_engine(settings.database_url)
    try:
        copied = copy_all(source, target, replace=replace)
    except CopyError as exc:
        raise UserError(f"db copy: {exc}") from None
    finally:
        source.dispose()
        target.dispose()
    for c in copied:
        print(f"{c.table:<20} {c.rows:>8} rows")
    print(f"copied {sum(c.rows for c in copied)} rows in {len(copied)} tables to {shown}, "
          f"at migration {db.SCHEMA_REVISION}")
    print(f"next: stop refmail, set REFMAIL_DATABASE_URL={shown} and start it again")
    return 0


def _add_init_parser(sub: Any) -> None:
    from refmail.mail.providers import PROVIDERS

    init = sub.add_parser("init", help="write a config for your provider, checking the logins for real")
    init.add_argument("--provider", choices=[*PROVIDERS, "other"], help="fills in servers, ports and security")
    init.add_argument("--name", help="your name, as prospects see it")
    init.add_argument("--email", help="your address (the mailbox refmail reads and sends from)")
    init.add_argument("--assistant", help="the address people CC (a mailbox of its own, or you+refmail@...)")
    init.add_argument("--user", help="IMAP/SMTP login (default: --email)")
    init.add_argument("--password-env", metavar="VAR", help="read the password from this environment variable "
                      "(default: asked on the terminal; an app password for Gmail, iCloud, Yahoo, Fastmail)")
    init.add_argument("--oauth2", action="store_true", help="log in with OAuth2 (refmail auth login) instead of a "
                      "password; the default for microsoft, which refuses passwords")
    init.add_argument("--intake-user", help="the assistant's own mailbox login, if it has one")
    init.add_argument("--intake-password-env", metavar="VAR")
    for proto in ("imap", "smtp"):
        init.add_argument(f"--{proto}-host")
        init.add_argument(f"--{proto}-port", type=int)
        init.add_argument(f"--{proto}-security", choices=("ssl", "starttls", "none"))
    init.add_argument("--smtp-user", help="SMTP login when it differs ('' for a server that takes none)")
    init.add_argument("--database-url", help="default: SQLite in the data folder")
    init.add_argument("--no-check", action="store_true", help="write the file without logging in first")
    init.add_argument("--config", dest="init_config", metavar="FILE",
                      help="where to write (default: REFMAIL_CONFIG, else the per-user config folder)")


def _ask(value: str | None, flag: str, prompt: str, secret: bool = False) -> str:
    """A flag's value, else a question on the terminal; a script without the flag gets a usage error."""
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UserError(f"init: {flag} is needed (no terminal to ask on)")
    if secret:
        import getpass

        return getpass.getpass(f"{prompt}: ")
    return input(f"{prompt}: ").strip()


def _env_secret(var: str | None) -> str | None:
    if var is None:
        return None
    if var not in os.environ:
        raise UserError(f"init: the environment variable {var} is not set")
    return os.environ[var]


def cmd_init(args: argparse.Namespace) -> int:
    from refmail.init_config import Answers, InitError, check_logins, settings_for, token_command, write_config
    from refmail.mail.providers import PROVIDERS

    path = Path(getattr(args, "init_config", None) or args.config or os.environ.get("REFMAIL_CONFIG")
                or _default_config_path())
    provider = _ask(args.provider, "--provider", f"provider ({', '.join([*PROVIDERS, 'other'])})").lower()
    if provider not in PROVIDERS and provider != "other":
        raise UserError(f"init: unknown provider {provider!r}: one of {', '.join([*PROVIDERS, 'other'])}")
    email = _ask(args.email, "--email", "your email address")
    oauth2 = args.oauth2 or (provider == "microsoft" and args.password_env is None)
    if oauth2 and provider not in ("microsoft", "gmail"):
        raise UserError("init: --oauth2 is for --provider microsoft or gmail; for another server set "
                        "REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND and REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND yourself")
    auth_provider = "google" if provider == "gmail" else provider
    answers = Answers(
        provider=provider,
        name=_ask(args.name, "--name", "your name"),
        email=email,
        assistant=_ask(args.assistant, "--assistant", "the assistant address people CC"),
        password="" if oauth2 else (_env_secret(args.password_env)
                                    or _ask(None, "--password-env", f"password for {email}", secret=True)),
        token_command=token_command(auth_provider) if oauth2 else None,
        user=args.user, intake_user=args.intake_user, intake_password=_env_secret(args.intake_password_env),
        imap_host=args.imap_host, imap_port=args.imap_port, imap_security=args.imap_security,
        smtp_host=args.smtp_host, smtp_port=args.smtp_port, smtp_security=args.smtp_security,
        smtp_user=args.smtp_user, database_url=args.database_url,
    )
    try:
        values = settings_for(answers)
        signed_in = not oauth2 or _signed_in(auth_provider)
        if not args.no_check and signed_in:
            checked = check_logins(values, allow_plaintext=os.environ.get("REFMAIL_ALLOW_PLAINTEXT", "").lower()
                                   in ("1", "yes", "true"))
            print(f"IMAP login ok: {values['REFMAIL_IMAP_USER']} at {values['REFMAIL_IMAP_HOST']}")
            print(f"SMTP login ok: {values['REFMAIL_SMTP_HOST']}:{values['REFMAIL_SMTP_PORT']}")
            print(f"Sent folder: {checked.sent!r}" if checked.sent else
                  "Sent folder: none flagged \\Sent (RFC 6154); refmail will use 'Sent', created if missing")
            print(f"Drafts folder: {checked.drafts!r}" if checked.drafts else
                  "Drafts folder: none flagged \\Drafts; refmail will use 'Drafts'")
        existed = write_config(path, values)
    except InitError as exc:
        raise UserError(f"init: {exc}; nothing written") from None
    print(f"{'updated' if existed else 'wrote'} {path} (readable only by you)")
    if oauth2 and not signed_in:
        print(_oauth2_next_steps(auth_provider, args.intake_user))
    print(f"next: export REFMAIL_CONFIG={path}; refmail doctor; then refmail run")
    return 0


def _signed_in(provider: str) -> bool:
    from refmail.config import default_data_dir
    from refmail.mail.signin import Store

    return Store(default_data_dir(), provider).path.exists()


def _oauth2_next_steps(provider: str, intake_user: str | None) -> str:
    """How to sign in, since OAuth2 logins can only be checked after it (init checked none of them)."""
    flags = ("--client-id YOUR-APPLICATION-ID (docs/microsoft365.md)" if provider == "microsoft"
             else "--client-secrets client_secret.json (docs/gmail.md)")
    steps = [f"OAuth2: refmail logs in with a token from `refmail auth token --provider {provider}`; "
             "sign in once first (logins are checked by refmail doctor afterwards):",
             f"  refmail auth login --provider {provider} {flags}"]
    if intake_user:
        steps.append(f"  refmail auth login --provider {provider} --account {intake_user} ...   (as {intake_user})")
    return "\n".join(steps)


def _default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("refmail", appauthor=False)) / "refmail.toml"


def cmd_auth(args: argparse.Namespace) -> int:
    from refmail.auth_command import run

    return run(args)


def cmd_doctor(args: argparse.Namespace) -> int:
    from refmail.doctor import Status, run_checks

    failed = False
    if args.send_probe:
        print("sending a probe message to the assistant address (it is deleted once found)", flush=True)
    for check in run_checks(config_file=args.config, probe_wait=args.probe_wait if args.send_probe else None):
        failed |= check.status is Status.FAIL
        print(f"{check.status.value:<5} {check.name:<10} {check.text}", flush=True)
    print("refmail is ready" if not failed else "refmail doctor: fix the lines marked fail, then run it again")
    return 1 if failed else 0


def _add_shadow_parser(sub: Any) -> None:
    shadow = sub.add_parser("shadow", help="replay your past mail: the intros in it and what refmail would have "
                            "done; sends nothing, changes nothing")
    shadow.add_argument("--since", default="90d", help="how far back: 90d, 12w, 3m (default 90d)")
    shadow.add_argument("--json", action="store_true")


def _progress_bar():  # type: ignore[no-untyped-def]
    """A progress bar on stderr when it is a terminal; nothing in a pipe or a log."""
    from refmail.shadow import Progress

    if not sys.stderr.isatty():
        return Progress()
    from tqdm import tqdm

    bars: list[Any] = []

    def start(label: str, total: int | None) -> None:
        bars.append(tqdm(total=total, desc=label, file=sys.stderr, leave=False,
                         unit="cycle" if total is not None else "msg"))

    return Progress(start=start, advance=lambda n: bars[-1].update(n), done=lambda: bars.pop().close())


def cmd_shadow(args: argparse.Namespace) -> int:
    from refmail import logs
    from refmail.clock import SystemClock
    from refmail.shadow import parse_period, run_shadow

    try:
        period = parse_period(args.since)
    except ValueError as exc:
        raise UsageError("shadow", f"--since: {exc}") from None
    settings = load_settings(config_file=args.config)
    logs.add_secrets(secret_values(settings))
    now = settings.now or SystemClock().now()
    found = run_shadow(settings, period, now, _progress_bar())  # ShadowError is a UserError: said plainly
    if args.json:
        _print_json(found)
    else:
        _print_shadow(found)
    return 0


def _print_shadow(r: dict[str, Any]) -> None:
    read = ", ".join(f"{folder} {n}" for folder, n in r["read"].items()) or "no mail"
    print(f"shadow mode, {r['since'][:10]} to {r['until'][:10]}: read {read}; nothing was sent and nothing changed")
    s = r["summary"]
    print(f"{len(r['intros'])} intro(s) found: {s['answered']} answered, {s['followed_up_by_hand']} followed up "
          f"by you by hand, {s['dropped']} dropped")
    who = lambda p: f"{p['name']} <{p['email']}>" if p and p["name"] else (p["email"] if p else "someone")  # noqa: E731
    for i in r["intros"]:
        print(f"\n{i['found_at'][:16]}  {i['subject'] or '(no subject)'}")
        print(f"  {who(i['referrer'])} introduced {', '.join(who(p) for p in i['prospects'])}")
        nxt = i["would_follow_up"]
        then = (f"; refmail would have sent the {nxt['kind'].replace('_', ' ')} on {nxt['at'][:16]}"
                if nxt else "")
        if i["outcome"] == "answered":
            hand = f"you wrote on {i['followed_up_by_hand_at'][:10]}, " if i["followed_up_by_hand_at"] else ""
            print(f"  answered: {hand}the prospect replied on {(i['answered_at'] or i['found_at'])[:10]}")
        elif i["outcome"] == "followed_up_by_hand":
            print(f"  you followed up by hand on {i['followed_up_by_hand_at'][:10]}, then it went quiet{then}")
        elif i["outcome"] == "dropped":
            print(f"  dropped: nobody wrote to the prospect{then}")
        else:
            print(f"  {i['outcome'].replace('_', ' ')}")
        for d in i["drafts"]:
            if d["status"] == "pending":
                print(f"  draft {d['kind']:<13} to {', '.join(d['to'])}: {d['subject']}  (due {d['due_at'][:16]})")
    mailed = ", ".join(f"{n} {kind}" for kind, n in sorted(r["would_have_mailed_you"].items()))
    if mailed:
        print(f"\nrefmail would have mailed you: {mailed}")
    if r["questions"]:
        print(f"refmail would also have asked you about {r['questions']} message(s) it could not place")


HANDLERS = {
    "run": cmd_run, "parse": cmd_parse, "drafts": cmd_drafts, "approve": cmd_decide, "reject": cmd_decide,
    "referrals": cmd_referrals, "show": cmd_show, "outcome": cmd_outcome, "claim": cmd_claim, "sources": cmd_sources,
    "digest": cmd_digest, "quarantine": cmd_quarantine, "questions": cmd_questions, "answer": cmd_answer,
    "demo": cmd_demo, "db": cmd_db, "resolve": cmd_resolve,
}
HANDLERS["doctor"] = cmd_doctor
HANDLERS["init"] = cmd_init
HANDLERS["shadow"] = cmd_shadow
HANDLERS["auth"] = cmd_auth


def _said(exc: RefmailError) -> int:
    """Each error says how it is shown and with which exit code."""
    if isinstance(exc, InternalError):  # a bug: -v shows where
        logging.getLogger("refmail").info("unexpected error", exc_info=True)
    print(exc.report(), file=sys.stderr)
    return exc.exit_code


def _database_problem(exc: Exception) -> UserError | None:
    """A database error said plainly; None for any other error. (SQLAlchemy is imported here, on the way out
    with an error, not at start: `refmail parse` and `--help` never need it.)"""
    from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

    if not isinstance(exc, SQLAlchemyError):
        return None
    # Only a connection-level failure is about the URL or the server; a constraint or a query is not.
    hint = ("check REFMAIL_DATABASE_URL and that the database server is running"
            if isinstance(exc, (OperationalError, InterfaceError)) else "")
    return UserError(f"database problem ({type(exc).__name__}): {str(exc).splitlines()[0]}", hint=hint)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args)
    if args.command not in BUILDS_APP:
        started()
    try:
        return HANDLERS[args.command](args)
    except RefmailError as exc:
        return _said(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `refmail drafts --json | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0
    except (OSError, UnicodeError) as exc:  # a settings or rules file that is a folder, unreadable, not UTF-8
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"refmail: cannot read a file{where}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}",
              file=sys.stderr)
        return 1
    except Exception as exc:  # a database error said plainly; anything else is a bug: -v shows where
        database = _database_problem(exc)
        if database is not None:
            return _said(database)
        logging.getLogger("refmail").info("unexpected error", exc_info=True)
        print(f"refmail: unexpected error ({type(exc).__name__}: {exc}); run with -v for details", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
