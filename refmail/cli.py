"""The command line: parse arguments, call the app, print. Exit 0 ok, 1 a problem to fix, 2 wrong usage."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from refmail.config import ConfigError, load_rules, load_settings
from refmail.domain.lifecycle import State
from refmail.mail.ports import MailError
from refmail.mail.security import InsecureConnectionError
from refmail.store.db import DatabaseURLError
from refmail.store.queries import AmbiguousId

COMMANDS = ("run", "parse", "drafts", "approve", "reject", "referrals", "show", "outcome", "sources", "digest",
            "quarantine", "demo", "db", "resolve")


class UserError(Exception):
    """Something the user must fix; printed without a traceback."""


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
    sources = sub.add_parser("sources", help="per-referrer statistics")
    sources.add_argument("--json", action="store_true")

    digest = sub.add_parser("digest", help="today's digest")
    mode = digest.add_mutually_exclusive_group()
    mode.add_argument("--send", action="store_true", help="send it now")
    mode.add_argument("--print", action="store_true", help="print it (default)")

    quarantine = sub.add_parser("quarantine", help="messages refmail could not handle (kept whole)")
    quarantine.add_argument("--retry", metavar="N|all", help="process message N (or all) again next cycle")
    quarantine.add_argument("--json", action="store_true")

    demo = sub.add_parser("demo", help="a self-contained tour on a throw-away local mail world")
    demo.add_argument("--keep", action="store_true", help="keep the demo folder")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply migrations (Alembic)")
    return p


def _app(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from refmail.wiring import build_app

    return build_app(load_settings(config_file=args.config))


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
    from refmail.domain.nlp import missing_pipeline

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
    if args.once:
        report = run_once(app, app.clock.now())
        print(f"cycle done: {report}")
        for problem in report.problems:  # nothing is lost (the next cycle retries), but someone should know
            print(f"refmail: {problem}", file=sys.stderr)
        return 1 if report.problems else 0
    run_forever(app, args.interval)
    return 0


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
    for result in parse_files(args.files, identity, rules):
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
    from refmail.app.decide import DecisionError, decide_by_id

    app = _app(args)
    body = None
    if args.command == "approve" and args.edit:
        match = [d for d in report.drafts(app) if args.id and d["id"].startswith(args.id.lower())]
        if len(match) != 1:
            raise UserError(f"no draft {args.id!r} awaiting approval")
        body = _edit(match[0]["body"])
        if not body.strip():
            raise UserError("the edited text is empty; nothing approved")
    try:
        decision = decide_by_id(app, args.id, args.command, "cli", body)
    except DecisionError as exc:
        raise UserError(str(exc)) from None
    if not decision.changed:  # already decided or sent: nothing happened, and a script should know
        raise UserError(decision.message)
    print(decision.message)
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from refmail.app.decide import DecisionError
    from refmail.app.resolve import Verdict, resolve

    try:
        print(resolve(_app(args), args.id, Verdict(args.verdict)))
    except DecisionError as exc:
        raise UserError(str(exc)) from None
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
    print(f"  prospects: {', '.join(p['email'] for p in r['prospects'])}")
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
    from refmail.app.decide import DecisionError, mark_outcome

    try:
        print(mark_outcome(_app(args), args.id, args.outcome))
    except DecisionError as exc:
        raise UserError(str(exc)) from None
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from refmail.app import report

    rows = report.sources(_app(args))

    def line(r: dict[str, Any]) -> str:
        name = f"{r['name']} <{r['email']}>" if r["name"] else r["email"]
        med = "-" if r["median_days_to_reply"] is None else f"{r['median_days_to_reply']}"
        return (f"{name[:36]:<36} {r['intros']:>6} {r['replied']:>7} {r['met']:>3} {r['won']:>3}  "
                f"{r['reply_rate']:>10.0%}  {med:>11}")

    if rows and not args.json:
        print(f"{'referrer':<36} intros replied met won  reply rate  median days")
    return _listing(rows, args.json, "no referrers yet", line)


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


def cmd_demo(args: argparse.Namespace) -> int:
    from refmail.demo import run_demo

    return run_demo(keep=args.keep)


def cmd_db(args: argparse.Namespace) -> int:
    from refmail.store import db

    settings = load_settings(config_file=args.config, need_owner=False)
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    print("database is up to date")
    return 0


HANDLERS = {
    "run": cmd_run, "parse": cmd_parse, "drafts": cmd_drafts, "approve": cmd_decide, "reject": cmd_decide,
    "referrals": cmd_referrals, "show": cmd_show, "outcome": cmd_outcome, "sources": cmd_sources,
    "digest": cmd_digest, "quarantine": cmd_quarantine, "demo": cmd_demo, "db": cmd_db, "resolve": cmd_resolve,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return HANDLERS[args.command](args)
    except (UserError, ConfigError, InsecureConnectionError, DatabaseURLError, AmbiguousId) as exc:
        print(f"refmail: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        # Only a connection-level failure is about the URL or the server; a constraint or a query is not.
        hint = ("\ncheck REFMAIL_DATABASE_URL and that the database server is running"
                if isinstance(exc, (OperationalError, InterfaceError)) else "")
        print(f"refmail: database problem ({type(exc).__name__}): {str(exc).splitlines()[0]}{hint}", file=sys.stderr)
        return 1
    except MailError as exc:
        print(f"refmail: mail server problem: {exc}", file=sys.stderr)
        return 1
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
    except Exception as exc:  # a bug: say so plainly; -v shows where
        logging.getLogger("refmail").info("unexpected error", exc_info=True)
        print(f"refmail: unexpected error ({type(exc).__name__}: {exc}); run with -v for details", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
