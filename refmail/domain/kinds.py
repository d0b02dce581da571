"""The kinds of draft refmail writes: one enum for every layer, importable without validating any rules."""

from __future__ import annotations

import enum


class DraftKind(enum.StrEnum):
    FIRST_TOUCH = "first_touch"
    THANK_SOURCE = "thank_source"
    SECOND_TOUCH = "second_touch"
    ESCALATION = "escalation"
    KEEP_IN_LOOP = "keep_in_loop"
    THANK_WON = "thank_won"
    CHECK_IN = "check_in"
    BOUNCE_NOTICE = "bounce_notice"
    MEETING_UPDATE = "meeting_update"
