"""Issue 10: in drafts-folder mode her Drafts folder stays true; a withdrawn draft she sends anyway is a problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from refmail.domain.types import OutgoingMail
from tests.e2e.harness import Cast, message

pytestmark = pytest.mark.e2e
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def drafts_cast(mail_world, tmp_path) -> Cast:  # type: ignore[no-untyped-def]
    rules = tmp_path / "rules.yaml"
    rules.write_text("drafts_folder_mode: true\n")
    (tmp_path / "data").mkdir()
    return Cast.new(mail_world, tmp_path / "data", REFMAIL_RULES=str(rules))


def in_drafts(cast: Cast) -> dict[str, object]:
    return {m["X-Refmail-Draft"]: m for m in cast.inbox(cast.owner, "Drafts")}


def test_copies_leave_her_drafts_folder_when_refmail_sends_them_or_she_skips(mail_world, tmp_path):
    cast = drafts_cast(mail_world, tmp_path)
    cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    drafts = {d["kind"]: d for d in cast.cli_json("drafts", now=MON)}
    copies = in_drafts(cast)
    assert set(copies) == {drafts["first_touch"]["id"], drafts["thank_source"]["id"]}
    # Her client sends what the draft says: the referrer in BCC, from the copy's own Bcc header.
    assert cast.referrer.email in copies[drafts["first_touch"]["id"]]["Bcc"]

    cast.cli("approve", drafts["first_touch"]["id"], now=MON + MINUTE)  # refmail sends it itself
    cast.cycle(MON + 2 * MINUTE)
    assert len(cast.from_refmail(cast.prospect)) == 1
    assert set(in_drafts(cast)) == {drafts["thank_source"]["id"]}

    cast.cli("reject", drafts["thank_source"]["id"], now=MON + 3 * MINUTE)
    cast.cycle(MON + 4 * MINUTE)
    assert in_drafts(cast) == {}
    timeline = cast.cli_json("show", drafts["first_touch"]["referral_id"], now=MON + 5 * MINUTE)["timeline"]
    assert sum("taken out of your Drafts folder" in t["text"] for t in timeline) == 2


def test_a_withdrawn_draft_leaves_and_sending_it_anyway_is_a_problem_in_the_digest(mail_world, tmp_path):
    cast = drafts_cast(mail_world, tmp_path)
    intro = cast.introduce(MON - 30 * MINUTE)
    cast.cycle(MON)
    first = next(d for d in cast.cli_json("drafts", now=MON) if d["kind"] == "first_touch")
    stale = in_drafts(cast)[first["id"]].as_bytes()  # what her client may still hold offline

    cast.send(message(cast.prospect, [cast.owner], "Re: Intro: Olivia <> Carol", "Lovely to meet you, Olivia!\n",
                      MON + 10 * MINUTE, in_reply_to=intro.message_id))
    cast.cycle(MON + 11 * MINUTE)
    assert cast.cli_json("referrals", now=MON + 11 * MINUTE)[0]["state"] == "replied"
    assert first["id"] not in in_drafts(cast)  # withdrawn: gone from her Drafts folder

    # She sends the copy anyway; her client files it in Sent.
    cast.send(OutgoingMail(first["id"], cast.owner.email, (cast.prospect.email,), stale))
    mail_world.deliver(cast.owner.email, stale, folder="Sent", flags=("\\Seen",))
    cast.cycle(MON + 20 * MINUTE)
    [mine] = [d for d in cast.cli_json("drafts", "--all", now=MON + 21 * MINUTE) if d["id"] == first["id"]]
    assert mine["status"] == "sent_after_withdrawal"
    digest = cast.cli("digest", "--print", now=datetime(2026, 11, 17, 8, 0, tzinfo=UTC)).stdout
    problems = digest.split("PROBLEMS WITH SENDING", 1)[1]
    assert "First message to Carol Prospect: sent from your mail client after refmail had withdrawn it" in problems
