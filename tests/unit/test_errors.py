"""One hierarchy of errors: the CLI catches its base, and each error says how it is shown."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import refmail
from refmail import cli, errors
from refmail.errors import RefmailError


def _refmail_exceptions() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(refmail.__path__, "refmail."):
        if ".training" in info.name or info.name.endswith("__main__") or ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        found += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if issubclass(obj, BaseException) and obj.__module__ == info.name]
    return found


def test_every_public_error_refmail_defines_has_the_one_base():
    public = [e for e in _refmail_exceptions() if not e.__name__.startswith("_")]
    assert public  # the walk found the package's errors at all
    assert [e for e in public if not issubclass(e, RefmailError)] == []


def test_errors_still_answer_to_their_old_names_and_bases():
    from refmail.config import ConfigError
    from refmail.mail.ports import MailError, PermanentSendError
    from refmail.store.db import DatabaseURLError
    from refmail.store.queries import AmbiguousId

    assert ConfigError is errors.ConfigError and MailError is errors.MailError
    assert issubclass(DatabaseURLError, ValueError) and issubclass(AmbiguousId, LookupError)
    assert not issubclass(PermanentSendError, MailError)  # 'retry later' must not catch a refusal for good


def _raising(exc: BaseException):  # type: ignore[no-untyped-def]
    def handler(args):  # type: ignore[no-untyped-def]
        raise exc
    return handler


@pytest.mark.parametrize(("exc", "code", "line"), [
    (errors.UserError("no draft 'x'"), 1, "refmail: no draft 'x'"),
    (errors.UserError("no mailbox", hint="set REFMAIL_IMAP_HOST"), 1, "refmail: no mailbox\nset REFMAIL_IMAP_HOST"),
    (errors.DecisionError("draft d1 is sent: there is nothing to settle"), 1,
     "refmail: draft d1 is sent: there is nothing to settle"),
    (errors.UsageError("answer", "--referrer and --prospect go together"), 2,
     "refmail answer: error: --referrer and --prospect go together"),
    (errors.ServerUnreachable("cannot reach imap.example.com"), 1,
     "refmail: mail server problem: cannot reach imap.example.com"),
    (errors.InvalidTransition("DraftSent is not allowed"), 1,
     "refmail: unexpected error (InvalidTransition: DraftSent is not allowed); run with -v for details"),
])
def test_cli_main_prints_each_errors_own_line_and_exit_code(monkeypatch, capsys, exc, code, line):
    monkeypatch.setitem(cli.HANDLERS, "drafts", _raising(exc))
    assert cli.main(["drafts"]) == code
    assert capsys.readouterr().err == line + "\n"


def test_a_database_connection_problem_carries_its_hint_and_a_query_problem_none(monkeypatch, capsys):
    from sqlalchemy.exc import IntegrityError, OperationalError

    monkeypatch.setitem(cli.HANDLERS, "drafts", _raising(OperationalError("SELECT 1", {}, Exception("refused"))))
    assert cli.main(["drafts"]) == 1
    assert capsys.readouterr().err == ("refmail: database problem (OperationalError): (builtins.Exception) refused\n"
                                       "check REFMAIL_DATABASE_URL and that the database server is running\n")
    monkeypatch.setitem(cli.HANDLERS, "drafts", _raising(IntegrityError("INSERT", {}, Exception("duplicate"))))
    assert cli.main(["drafts"]) == 1
    assert capsys.readouterr().err == "refmail: database problem (IntegrityError): (builtins.Exception) duplicate\n"
