"""rules.yaml as typed values: the shipped files load, and every mistake names its key and what was expected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from refmail.config import PACKAGE_DATA, ConfigError, load_rules
from refmail.domain.rules import Cadence, DraftKind, Rules, RulesError, rules_from_mapping

REPO_ROOT = Path(__file__).resolve().parents[2]


def load(path: Path) -> Rules:
    return rules_from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


@pytest.mark.parametrize("path", [REPO_ROOT / "rules.yaml", PACKAGE_DATA / "rules.yaml"], ids=["repo", "packaged"])
def test_shipped_rules_load_with_the_documented_defaults(path: Path) -> None:
    rules = load(path)
    assert rules.timezone == "UTC"
    assert rules.calendar.business_days == ("mon", "tue", "wed", "thu", "fri")
    assert rules.send_window.start == dt.time(8, 0) and rules.send_window.end == dt.time(18, 0)
    assert rules.cadence == Cadence(
        first_touch_due=1, thank_source_due=1, second_touch_after=3, escalation_after=5,
        close_after=10, check_in_after=2, max_unanswered=2,
    )
    assert all(rules.needs_approval(kind) for kind in DraftKind)
    assert rules.digest.time == dt.time(8, 0)


def test_empty_file_means_all_defaults() -> None:
    assert rules_from_mapping(None) == Rules()
    assert rules_from_mapping({}) == Rules()


def test_rules_are_frozen() -> None:
    rules = Rules()
    with pytest.raises(Exception):
        rules.timezone = "Europe/Berlin"  # type: ignore[misc]


def test_urgent_cadence_overrides_only_what_it_names() -> None:
    rules = rules_from_mapping({"urgent_cadence": {"first_touch_due": 0, "second_touch_after": 2}})
    urgent = rules.cadence_for(urgent=True)
    assert (urgent.first_touch_due, urgent.second_touch_after) == (0, 2)
    assert urgent.escalation_after == rules.cadence.escalation_after == 5
    assert rules.cadence_for(urgent=False) == rules.cadence


def test_approval_can_be_waived_per_kind() -> None:
    rules = rules_from_mapping({"approval": {"thank_source": False}})
    assert not rules.needs_approval(DraftKind.THANK_SOURCE)
    assert rules.needs_approval(DraftKind.FIRST_TOUCH)  # unnamed kinds keep the safe default


def test_business_day_names_are_normalised() -> None:
    rules = rules_from_mapping({"calendar": {"business_days": ["Monday", "TUE", "sun"]}})
    assert rules.calendar.business_days == ("mon", "tue", "sun")
    assert rules.calendar.weekday_numbers == frozenset({0, 1, 6})


def test_holiday_country_is_upper_cased() -> None:
    assert rules_from_mapping({"calendar": {"holiday_country": "us"}}).calendar.holiday_country == "US"


# Each mistake, the key the message must name, and words that say what was expected.
MISTAKES = [
    ({"cadence": {"second_touch_afterr": 3}}, "cadence.second_touch_afterr", "unknown key"),
    ({"cadence": {"second_touch_after": "soon"}}, "cadence.second_touch_after", "valid integer"),
    ({"cadence": {"second_touch_after": 0}}, "cadence.second_touch_after", "greater than or equal to 1"),
    ({"cadence": {"max_unanswered": 3}}, "cadence.max_unanswered", "less than or equal to 2"),
    ({"cadenze": {}}, "cadenze", "unknown key"),
    ({"urgent_cadence": {"first_touch_due": -1}}, "urgent_cadence.first_touch_due", "greater than or equal to 0"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "IANA name"),
    ({"timezone": "../etc/passwd"}, "timezone", "IANA name"),
    ({"calendar": {"holiday_country": "XX"}}, "calendar.holiday_country", "unknown country code 'XX'"),
    ({"calendar": {"business_days": ["funday"]}}, "calendar.business_days", "mon, tue, wed"),
    ({"calendar": {"business_days": []}}, "calendar.business_days", "non-empty"),
    ({"calendar": {"holidays": ["2026-13-01"]}}, "calendar.holidays.0", "valid date"),
    ({"send_window": {"start": "18:00", "end": "08:00"}}, "send_window.end", "end time after start"),
    ({"send_window": {"start": "09:00", "end": "09:00"}}, "send_window.end", "end time after start"),
    ({"send_window": {"start": "25:00"}}, "send_window.start", "valid time"),
    ({"credit": "everyone"}, "credit", "'first' or 'last'"),
    ({"digest": {"time": 1110}}, "digest.time", "time in quotes"),  # what YAML makes of an unquoted 18:30
    ({"send_window": {"end": 1020}}, "send_window.end", "time in quotes"),
    ({"digest": {"time": "8"}}, "digest.time", 'like "08:00"'),
    ({"cadence": {"max_unanswered": True}}, "cadence.max_unanswered", "valid integer"),
    ({"approval": {"first_touchh": False}}, "approval.first_touchh", "'first_touch'"),
    ({"outbox": {"retry_for_hours": 0}}, "outbox.retry_for_hours", "greater than or equal to 1"),
    ({"outbox": {"retry_first_minutes": 0}}, "outbox.retry_first_minutes", "greater than or equal to 1"),
    ({"outbox": {"retry_first_minutes": 30, "retry_max_minutes": 10}}, "outbox.retry_max_minutes",
     "at least retry_first_minutes"),
    # a late intro looks back two weeks for the prospect's mail: it must still be there
    ({"retention": {"unrelated_days": 7}}, "retention.unrelated_days", "greater than or equal to 14"),
    ({"detection": {"min_confidence": 3}}, "detection.min_confidence", "between 0 and 1"),
    ({"detection": {"bogus": 1}}, "detection.bogus", "unknown key"),
    ({"detection": {"max_body_chars": 10}}, "detection.max_body_chars", "at least 200"),
    ({"detection": ["min_confidence"]}, "detection", "valid dictionary"),
]


def test_detection_rules_are_validated_once_at_load_not_per_read() -> None:
    rules = rules_from_mapping({"detection": {"thresholds": {"intro": 0.6}, "urgent_phrases": [" ASAP "]}})
    assert rules.detection_rules is rules.detection_rules  # the app reads it for every message
    assert rules.detection_rules.min_confidence == 0.6 and rules.detection_rules.urgent_phrases == ("asap",)


@pytest.mark.parametrize(("data", "key", "expected"), MISTAKES, ids=[m[1] + ":" + m[2] for m in MISTAKES])
def test_a_mistake_names_the_key_and_what_was_expected(data: dict, key: str, expected: str) -> None:
    with pytest.raises(RulesError) as err:
        rules_from_mapping(data, "my-rules.yaml")
    message = str(err.value)
    assert message.startswith(f"my-rules.yaml: {key}: "), message
    assert expected in message
    assert "[key]" not in message and "Value error" not in message


def test_every_mistake_in_a_file_is_reported_at_once() -> None:
    with pytest.raises(RulesError) as err:
        rules_from_mapping({"cadence": {"close_after": 0}, "timezone": "Nowhere/Land"})
    assert "cadence.close_after" in str(err.value) and "timezone" in str(err.value)


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(RulesError, match="rules.yaml: expected a mapping"):
        rules_from_mapping(["cadence"])


def test_load_rules_turns_rule_errors_into_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("cadence:\n  second_touch_after: a week\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules.yaml: cadence.second_touch_after: .*integer"):
        load_rules(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("cadence: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(broken)
    with pytest.raises(ConfigError, match="not found"):
        load_rules(tmp_path / "missing.yaml")
