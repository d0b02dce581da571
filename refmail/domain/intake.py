"""How a new intro is taken: which prospects join a referral already open, and how many tracks the rest get."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from refmail.domain.types import Identity, Person, Understanding


@dataclass(frozen=True)
class IntakePlan:
    joined: tuple[str, ...]  # open referrals the intro joins (a prospect refmail already follows), oldest first
    fresh: tuple[Person, ...]  # prospects who get a referral of their own
    # One referral for all the fresh prospects (one prospect, or her own intro of two contacts: one check-in
    # to both); otherwise each has her own track (cadence, reply, out-of-office, bounce).
    one_track: bool


def plan_intake(u: Understanding, open_referral: Mapping[str, str]) -> IntakePlan:
    """`open_referral`: each prospect's oldest open referral, by address (absent: none)."""
    joined: dict[str, None] = {}
    fresh = []
    for prospect in dict.fromkeys(u.prospects):
        rid = open_referral.get(prospect.email)
        if rid is None:
            fresh.append(prospect)
        else:
            joined.setdefault(rid)
    return IntakePlan(tuple(joined), tuple(fresh), u.owner_is_referrer or len(fresh) == 1)


def thank_again(added: bool, referrer: Person | None, identity: Identity) -> bool:
    """A new referrer of someone already followed is thanked; the owner introducing her again is not."""
    return added and referrer is not None and not identity.is_owner(referrer.email)
