"""Outgoing Message-IDs: fixed per draft, keyed with the secret, and no clue to it for those who receive them."""

from __future__ import annotations

import hashlib

from refmail.domain.drafting import outgoing_message_id

SECRET = b"0123456789abcdef0123456789abcdef"


def test_the_message_id_is_fixed_per_draft_and_ours_by_its_prefix():
    mid = outgoing_message_id("d1234567", "owner@example.com", SECRET)
    assert mid == outgoing_message_id("d1234567", "owner@example.com", SECRET)
    assert mid.startswith("refmail.d1234567.") and mid.endswith("@example.com")
    assert mid != outgoing_message_id("d7654321", "owner@example.com", SECRET)


def test_the_message_id_is_keyed_by_the_whole_secret():
    other = SECRET[:16] + b"ffffffffffffffff"  # same first half: the old scheme hashed only that
    assert outgoing_message_id("d1", "owner@example.com", SECRET) != outgoing_message_id("d1", "owner@example.com", other)
    digest = outgoing_message_id("d1", "owner@example.com", SECRET).split(".")[2].split("@")[0]
    # not an unkeyed hash of the draft and a prefix of the secret, as it once was
    assert digest not in hashlib.sha256(b"d1/" + SECRET.hex()[:16].encode()).hexdigest()
