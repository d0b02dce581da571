"""The command line's contract in the small: usage errors exit 2, user errors exit 1 with one line, IDs are safe."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from refmail.app import report
from refmail.app.intake import take_intro
from refmail.cli import main
from refmail.config import load_settings
from refmail.domain.types import Kind, ParsedMessage, Person, Understanding
from refmail.wiring import build_app

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
ALICE = Person("Alice Source", "alice@example.org")
CORPUS_INTRO = Path(__file__).resolve().parents[1] / "corpus" / "intro" / "086_group.eml"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"REFMAIL_OWNER": "Olivia Owner <owner@example.com>", "REFMAIL_DATA_DIR": str(tmp_path),
              "REFMAIL_NOW": NOW.isoformat()}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # no ./rules.yaml or ./templates of the checkout
    return values


def two_drafts(env: dict[str, str]) -> list[str]:
    app = build_app(load_settings())
    carol = Person("Carol Prospect", "carol@example.net")
    parsed = ParsedMessage("intro-1@example.org", "Intro", ALICE, (carol,), (), (), NOW, None, (), (), "")
    with app.sessions.begin() as s:
        take_intro(s, app, parsed, Understanding(Kind.INTRO, 1.0, referrer=ALICE, prospects=(carol,)), NOW)
    return [d["id"] for d in report.drafts(app)]


@pytest.mark.parametrize("interval", ["0", "-5", "soon"])
def test_a_run_interval_under_one_second_is_wrong_usage(env, interval: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "--interval", interval])
    assert exc.value.code == 2


def test_an_unknown_state_is_wrong_usage(env) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["referrals", "--state", "bogus"])
    assert exc.value.code == 2


def test_an_ambiguous_or_empty_id_acts_on_nothing(env, capsys) -> None:
    ids = two_drafts(env)
    assert main(["approve", "d"]) == 1
    err = capsys.readouterr().err
    assert "type more of the ID" in err and all(i in err for i in ids)
    assert main(["approve", ""]) == 1
    assert main(["outcome", "", "lost"]) == 1
    assert {d["status"] for d in report.drafts(build_app(load_settings()))} == {"pending"}


def test_deciding_a_draft_twice_exits_1(env, capsys) -> None:
    first = two_drafts(env)[0]
    assert main(["approve", first]) == 0
    assert main(["reject", first]) == 1
    assert "already approved" in capsys.readouterr().err


def test_parse_reads_the_owner_from_the_config_file(env, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("REFMAIL_OWNER")
    config = tmp_path / "refmail.toml"
    config.write_text('REFMAIL_OWNER = "Olivia Owner <owner@example.com>"\n')
    assert main(["--config", str(config), "parse", str(CORPUS_INTRO), "--json"]) == 0
    assert '"kind": "intro"' in capsys.readouterr().out
    assert main(["parse", str(CORPUS_INTRO)]) == 1
    assert "--owner" in capsys.readouterr().err


def test_unreadable_settings_files_are_one_line_not_a_traceback(env, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("REFMAIL_RULES", str(tmp_path))  # a folder, not a file
    assert main(["drafts"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("refmail: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1
    monkeypatch.delenv("REFMAIL_RULES")
    (tmp_path / "latin1.yaml").write_bytes("timezone: UTC # Grüße\n".encode("latin-1"))
    monkeypatch.setenv("REFMAIL_RULES", str(tmp_path / "latin1.yaml"))
    assert main(["drafts"]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_rules_are_validated_by_the_commands_that_use_them(env, tmp_path: Path, monkeypatch, capsys) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("cadence:\n  second_touch_afterr: 3\n")
    monkeypatch.setenv("REFMAIL_RULES", str(rules))
    assert main(["drafts", "--json"]) == 0  # a listing reads no rule: it is not held up by one (issue 12)
    assert json.loads(capsys.readouterr().out) == []  # this test's own, empty store
    assert main(["sources"]) == 1  # sources counts business days: the mistake is said, naming the key
    assert "cadence.second_touch_afterr: unknown key" in capsys.readouterr().err


def test_a_named_pipeline_that_is_not_installed_is_said_once(env, tmp_path: Path, monkeypatch, capsys) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("detection:\n  pipeline: en_core_web_nonexistent\n")
    monkeypatch.setenv("REFMAIL_RULES", str(rules))
    assert main(["parse", str(CORPUS_INTRO)]) == 0  # the rules alone still read it
    captured = capsys.readouterr()
    assert "en_core_web_nonexistent" in captured.err and "not installed" in captured.err
    assert ": intro" in captured.out


def test_db_upgrade_needs_only_the_database(env, monkeypatch, capsys) -> None:
    monkeypatch.delenv("REFMAIL_OWNER")
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
