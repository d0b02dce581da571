"""rules.yaml as typed, validated values: a wrong key is an error that names it."""

from __future__ import annotations

import enum
import datetime as dt
import re
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, StrictInt, ValidationError,
                      field_validator)
from pydantic_core import PydanticCustomError

from refmail.domain.detection_rules import DetectionRules
from refmail.domain.kinds import DraftKind as DraftKind  # where the approval keys come from; defined apart
from refmail.errors import RulesError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Credit(enum.StrEnum):
    FIRST = "first"
    LAST = "last"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _clock_time(value: Any) -> Any:
    """ "08:00" or a time; not a number, which is what YAML makes of an unquoted 18:30 (1110, in base 60)."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise ValueError('expected a time in quotes, like "08:00" (unquoted, YAML reads 18:30 as a number)')
    if isinstance(value, dt.time) and value.tzinfo is not None:
        raise ValueError('expected a time without a zone, like "08:00" (the zone is the timezone rule)')
    if isinstance(value, str) and not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        raise ValueError(f'expected a time like "08:00", not {value!r}')
    return value


ClockTime = Annotated[dt.time, BeforeValidator(_clock_time)]


class Calendar(_Strict):
    business_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    holiday_country: str | None = None
    holidays: tuple[date, ...] = ()

    @field_validator("business_days")
    @classmethod
    def _known_days(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        days = tuple(d.lower()[:3] for d in days)
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown or not days:
            raise ValueError(f"expected a non-empty list of {', '.join(WEEKDAYS)}")
        return days

    @field_validator("holiday_country")
    @classmethod
    def _known_country(cls, country: str | None) -> str | None:
        if country is None:
            return None
        import holidays

        if country.upper() not in holidays.list_supported_countries():
            raise ValueError(f"unknown country code {country!r} (expected e.g. US, GB, DE)")
        return country.upper()

    @property
    def weekday_numbers(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(d) for d in self.business_days)


class SendWindow(_Strict):
    start: ClockTime = dt.time(8, 0)
    end: ClockTime = dt.time(18, 0)

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.time, info: Any) -> dt.time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError("expected an end time after start")
        return end


class Cadence(_Strict):
    """Business days between the steps of one referral."""

    first_touch_due: StrictInt = Field(1, ge=0, le=60)
    thank_source_due: StrictInt = Field(1, ge=0, le=60)
    keep_in_loop_due: StrictInt = Field(1, ge=0, le=60)
    second_touch_after: StrictInt = Field(3, ge=1, le=60)
    escalation_after: StrictInt = Field(5, ge=1, le=60)
    close_after: StrictInt = Field(10, ge=1, le=120)
    check_in_after: StrictInt = Field(2, ge=1, le=60)
    max_unanswered: StrictInt = Field(2, ge=1, le=2)


class UrgentCadence(_Strict):
    first_touch_due: StrictInt | None = Field(None, ge=0, le=60)
    second_touch_after: StrictInt | None = Field(None, ge=1, le=60)
    escalation_after: StrictInt | None = Field(None, ge=1, le=60)


class FirstTouch(_Strict):
    # Seed 001: keep the source in the loop. True: the referrer gets the first touch in BCC (and it says so).
    bcc_referrer: bool = True


class Digest(_Strict):
    time: ClockTime = dt.time(8, 0)
    business_days_only: bool = True
    send_when_empty: bool = False
    # How long the "nothing to say" decision may wait for that morning's intake to be read.
    wait_for_mail_minutes: StrictInt = Field(120, ge=0, le=24 * 60)


class Outbox(_Strict):
    """How a message the SMTP server will not take now is tried again (domain/outbox.after_failure)."""

    retry_for_hours: StrictInt = Field(48, ge=1, le=24 * 14)
    # The first wait; it doubles with each attempt, up to retry_max_minutes.
    retry_first_minutes: StrictInt = Field(5, ge=1, le=24 * 60)
    retry_max_minutes: StrictInt = Field(120, ge=1, le=24 * 60)

    @field_validator("retry_max_minutes")
    @classmethod
    def _not_below_first(cls, most: int, info: Any) -> int:
        first = info.data.get("retry_first_minutes")
        if first is not None and most < first:
            raise ValueError("expected at least retry_first_minutes")
        return most


class Retention(_Strict):
    """How long refmail keeps the bytes of mail that turned out not to concern any referral."""

    # At least the two weeks a late intro looks back for the prospect's earlier mail (app/process.py).
    unrelated_days: StrictInt = Field(30, ge=14, le=3650)


class GroupIntro(_Strict):
    """A group intro gives each prospect her own track; this rule lets one answer stop them all."""

    stop_on_first_reply: bool = False


class Reciprocity(_Strict):
    """When a referrer whose intro became a meeting or a win is owed something in return."""

    owe_after_days: StrictInt = Field(30, ge=1, le=3650)


def _detection_rules(value: Any) -> DetectionRules:
    """`detection:` from YAML (a mapping), or an already built DetectionRules."""
    if isinstance(value, DetectionRules):
        return value
    if not isinstance(value, dict):
        raise PydanticCustomError("dict_type", "Input should be a valid dictionary")
    return DetectionRules.from_mapping(value)


class Rules(_Strict):
    timezone: str = "UTC"
    calendar: Calendar = Calendar()
    send_window: SendWindow = SendWindow()
    cadence: Cadence = Cadence()
    urgent_cadence: UrgentCadence = UrgentCadence()
    credit: Credit = Credit.FIRST
    approval: dict[DraftKind, bool] = Field(default_factory=dict)
    first_touch: FirstTouch = FirstTouch()
    drafts_folder_mode: bool = False
    digest: Digest = Digest()
    outbox: Outbox = Outbox()
    retention: Retention = Retention()
    group_intro: GroupIntro = GroupIntro()
    reciprocity: Reciprocity = Reciprocity()
    # Validated once, here, into a frozen value: the app reads it for every message.
    detection: Annotated[DetectionRules, PlainValidator(_detection_rules)] = DetectionRules()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (expected an IANA name like Europe/Berlin)")
        return name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def detection_rules(self) -> DetectionRules:
        return self.detection

    def needs_approval(self, kind: DraftKind) -> bool:
        return self.approval.get(kind, True)

    def cadence_for(self, urgent: bool) -> Cadence:
        """The cadence a new referral starts with; urgency shortens it by rule."""
        if not urgent:
            return self.cadence
        overrides = {k: v for k, v in self.urgent_cadence.model_dump().items() if v is not None}
        return self.cadence.model_copy(update=overrides)


def rules_from_mapping(data: Any, source: str = "rules.yaml") -> Rules:
    """Validate loaded YAML; errors read like `rules.yaml: cadence.second_touch_after: ...`."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RulesError(f"{source}: expected a mapping of rule names to values at the top level")
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            # pydantic marks a bad mapping key as "[key]"; users only need the key path
            key = ".".join(str(p) for p in err["loc"] if p != "[key]") or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            if msg.startswith(f"{key}."):  # DetectionRules already names the full key
                problems.append(msg)
                continue
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            problems.append(f"{key}: {msg}")
        raise RulesError(f"{source}: " + "; ".join(problems)) from None
    except ValueError as exc:  # DetectionRules.from_mapping names its own key
        raise RulesError(f"{source}: {exc}") from None
