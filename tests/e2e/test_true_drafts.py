"""Issue 10 on the real mail world: the first touch's BCC is real (or not claimed), the second message quotes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.harness import Cast

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
THU = datetime(2026, 11, 19, 9, 2, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
ROOT = Path(__file__).resolve().parents[2]


def _approve(cast: Cast, now: datetime, kind: str) -> dict:
    [draft] = [d for d in cast.cli_json("drafts", now=now) if d["kind"] == kind]
    cast.cli("approve", draft["id"], now=now)
    return draft


def test_first_touch_reaches_the_referrer_in_bcc_only_and_the_second_quotes_it(cast):
    intro = cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    draft = _approve(cast, MON + MINUTE, "first_touch")
    assert draft["bcc"] == [cast.referrer.email]
    assert "moving you to BCC" in draft["body"]
    # Her approval email shows who gets it, BCC included, and says plainly what each draft is.
    approvals = {m["Subject"]: m.get_body(("plain",)).get_content() for m in cast.inbox(cast.owner)
                 if m["Subject"].startswith("[refmail] Approve: ")}
    first_ask = approvals["[refmail] Approve: Alice Source suggested we connect"]
    assert f"Bcc: Alice Source <{cast.referrer.email}>" in first_ask
    thanks_ask = approvals["[refmail] Approve: Thank you for the introduction to Carol Prospect"]
    assert "a thank-you to Alice Source for introducing Carol Prospect" in thanks_ask and "Bcc:" not in thanks_ask
    cast.cycle(MON + 2 * MINUTE)

    [to_carol] = cast.from_refmail(cast.prospect)
    [to_alice] = [m for m in cast.from_refmail(cast.referrer) if m["X-Refmail"] == "first_touch"]
    assert to_alice["Message-ID"] == to_carol["Message-ID"]  # one message, two envelopes' worth
    for copy in (to_carol, to_alice):
        assert copy["Cc"] is None and copy["Bcc"] is None
        assert cast.referrer.email not in copy["To"]
        assert copy["In-Reply-To"].strip("<>") == intro.message_id
    assert to_carol["Subject"] == "Alice Source suggested we connect"
    # Her own Sent copy says where it went, as her mail client's would.
    [sent] = [m for m in cast.inbox(cast.owner, "Sent") if m["Message-ID"] == to_carol["Message-ID"]]
    assert cast.referrer.email in sent["Bcc"]

    cast.cycle(THU)
    _approve(cast, THU + MINUTE, "second_touch")
    cast.cycle(THU + 2 * MINUTE)
    follow = [m for m in cast.from_refmail(cast.prospect) if m["X-Refmail"] == "second_touch"][0]
    assert follow["In-Reply-To"] == to_carol["Message-ID"]
    assert follow["Subject"] == "Re: Alice Source suggested we connect"
    body = follow.get_content().replace("\r\n", "\n")
    own, _, quoted = body.partition("On Mon, 16 Nov 2026 at 09:02, Olivia Owner wrote:\n")
    assert quoted, body
    assert "my note below" in own
    first_lines = to_carol.get_content().replace("\r\n", "\n").strip().splitlines()
    assert quoted.strip().splitlines() == [f"> {ln}" if ln.strip() else ">" for ln in first_lines]
    # The second message is not copied to the referrer.
    assert [m["X-Refmail"] for m in cast.from_refmail(cast.referrer)] == ["first_touch"]


def test_without_bcc_the_referrer_gets_nothing_and_no_draft_claims_it(cast, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text((ROOT / "rules.yaml").read_text().replace("bcc_referrer: true", "bcc_referrer: false"))
    cast.env_overrides["REFMAIL_RULES"] = str(rules)
    cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    first = _approve(cast, MON + MINUTE, "first_touch")
    assert first["bcc"] == []
    cast.cycle(MON + 2 * MINUTE)
    assert len(cast.from_refmail(cast.prospect)) == 1
    assert cast.from_refmail(cast.referrer) == []
    cast.cycle(THU)
    _approve(cast, THU + MINUTE, "second_touch")
    cast.cycle(THU + 2 * MINUTE)
    drafts = cast.cli_json("show", first["referral_id"], now=THU + 2 * MINUTE)["drafts"]
    assert {d["kind"] for d in drafts} >= {"first_touch", "thank_source", "second_touch"}
    for d in drafts:
        assert "bcc" not in d["body"].lower(), d
    for m in cast.from_refmail(cast.prospect):
        assert "bcc" not in m.get_content().lower()
    assert cast.from_refmail(cast.referrer) == []
