"""Two messages with one Message-ID: another copy of the same message, or a different one reusing the ID."""

from __future__ import annotations

import hashlib
from email.parser import BytesHeaderParser
from email.policy import compat32

# What a copy keeps, whichever folder or server it went through (Received, Delivered-To and Bcc differ).
_FIELDS = ("from", "sender", "to", "cc", "subject", "date", "in-reply-to")


def fingerprint(raw: bytes) -> tuple[str, ...] | None:
    """The fields that tell one message from another, whitespace folded; None when raw was pruned or unreadable."""
    if not raw.strip():
        return None
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    raw = raw[: min(ends) + 2] if ends else raw  # the header block only: a stored body may be megabytes
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    except Exception:  # a header block too broken to read: nothing to compare
        return None
    return tuple(" | ".join(" ".join(str(v).split()) for v in headers.get_all(name) or ()) for name in _FIELDS)


def same_message(stored: bytes, arriving: bytes) -> bool:
    """True for another copy (or when the stored bytes were pruned and cannot tell); False for a different message."""
    first, second = fingerprint(stored), fingerprint(arriving)
    return first is None or second is None or first == second


def derived_id(message_id: str, raw: bytes) -> str:
    """A stable ID for the second message: the same for every copy of it, so storing it stays idempotent."""
    digest = hashlib.sha256(repr((message_id, fingerprint(raw))).encode("utf-8", "replace")).hexdigest()[:24]
    return f"{message_id[:900]}.refmail-reused-{digest}"
