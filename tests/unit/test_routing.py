"""Every route of domain/routing.py, chosen from plain values: no mail server, no database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from refmail.domain import routing as rt
from refmail.domain.routing import RouteKind, ThreadFacts, Track, route
from refmail.domain.types import Identity, Kind, ParsedMessage, Person, Understanding

OWNER = Person("Olivia Owner", "owner@example.com")
ME = Identity(OWNER, assistant="assistant@example.com")
ALICE = Person("Alice Source", "alice@example.org")
CAROL = Person("Carol Prospect", "carol@example.net")
DAN = Person("Dan Prospect", "dan@example.net")
INTRO_ID = "intro-1@example.org"
FORGED = ("Authentication-Results", "mx.example.com; dkim=fail header.d=example.com; spf=fail "
                                    "smtp.mailfrom=example.com")


def msg(sender: Person | None = CAROL, to=(OWNER,), cc=(), subject="Re: Intro: Carol, meet Olivia",
        in_reply_to: str | None = INTRO_ID, headers=(), calendars=(), message_id="m-1@example.net") -> ParsedMessage:
    return ParsedMessage(message_id=message_id, subject=subject, sender=sender, to=tuple(to), cc=tuple(cc),
                         reply_to=(), date=None, in_reply_to=in_reply_to,
                         references=(in_reply_to,) if in_reply_to else (), headers=tuple(headers), text="Sounds good",
                         calendars=tuple(calendars))


REPLY = Understanding(kind=Kind.REPLY, confidence=0.9, reply_text="Sounds good")
INTRO = Understanding(kind=Kind.INTRO, confidence=0.9, referrer=ALICE, prospects=(CAROL,))
CAROL_TRACK = Track("r1", INTRO_ID, frozenset({CAROL.email}), frozenset({ALICE.email}))
DAN_TRACK = Track("r2", INTRO_ID, frozenset({DAN.email}), frozenset({ALICE.email}))
ON_THREAD = ThreadFacts(thread=(CAROL_TRACK,), linked=("r1",), nearest=("thread", "r1"), sender_person=CAROL.email)


def test_refmails_own_mail_is_ours_whatever_else_it_looks_like():
    r = route(msg(headers=(("X-Refmail", "approval"),)), None, ON_THREAD, ME)
    assert r.kind is RouteKind.OURS


def test_a_draft_in_her_sent_folder_is_hers_by_its_header_or_its_message_id():
    assert route(msg(OWNER), None, ThreadFacts(source="sent", draft_by_marker=True), ME).kind \
        is RouteKind.SENT_BY_OWNER
    assert route(msg(OWNER), None, ThreadFacts(source="sent", draft_by_message_id=True), ME).kind \
        is RouteKind.SENT_BY_OWNER


def test_a_copy_elsewhere_counts_only_from_her_unforged_with_the_keyed_message_id():
    facts = ThreadFacts(source="intake", draft_by_message_id=True, draft_by_marker=True)
    assert route(msg(OWNER), None, facts, ME).kind is RouteKind.SENT_BY_OWNER
    assert route(msg(ALICE), None, facts, ME).kind is RouteKind.READ
    assert route(msg(OWNER, headers=(FORGED,)), None, facts, ME).kind is RouteKind.READ
    # The draft header alone is believed only in her own Sent folder.
    assert route(msg(OWNER), None, ThreadFacts(source="intake", draft_by_marker=True), ME).kind is RouteKind.READ


def test_answers_to_approvals_and_questions_go_to_their_handlers_even_unsigned():
    assert route(msg(OWNER, subject="Re: [refmail] Approve: Alice suggested we connect"), None, ThreadFacts(), ME) \
        .kind is RouteKind.APPROVAL_ANSWER
    assert route(msg(OWNER, subject="RE: [refmail] Question: hello"), None, ThreadFacts(), ME).kind \
        is RouteKind.QUESTION_ANSWER


def _invitation(method: str, organizer: str, attendee: str, partstat: str) -> str:
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", f"METHOD:{method}", "BEGIN:VEVENT",
        "UID:meet-1", "DTSTAMP:20261120T090000Z", "DTSTART:20261126T100000Z", "SUMMARY:Coffee",
        f"ORGANIZER:mailto:{organizer}", f"ATTENDEE;PARTSTAT={partstat}:mailto:{attendee}",
        "END:VEVENT", "END:VCALENDAR", ""])


def test_an_accepted_invitation_between_owner_and_prospect_is_a_meeting_on_her_referral():
    accepted = _invitation("REPLY", OWNER.email, CAROL.email, "ACCEPTED")
    facts = ThreadFacts(meetable={CAROL.email: (CAROL.email, ("r1",))})
    r = route(msg(CAROL, calendars=(accepted,)), None, facts, ME)
    assert r.kind is RouteKind.MEETING
    assert [(m.address, m.referral_id) for m in r.meetings] == [(CAROL.email, "r1")]


def test_a_third_partys_invitation_or_a_declined_one_sets_no_meeting():
    accepted = _invitation("REPLY", OWNER.email, CAROL.email, "ACCEPTED")
    facts = ThreadFacts(meetable={CAROL.email: (CAROL.email, ("r1",))})
    assert route(msg(ALICE, calendars=(accepted,)), None, facts, ME).kind is RouteKind.READ
    declined = _invitation("REPLY", OWNER.email, CAROL.email, "DECLINED")
    assert route(msg(CAROL, calendars=(declined,)), None, facts, ME).kind is RouteKind.READ
    # Nobody on an open referral: a calendar part is just mail.
    assert route(msg(CAROL, calendars=(accepted,)), None, ThreadFacts(), ME).kind is RouteKind.READ


def test_nothing_settled_without_reading_asks_for_the_reading():
    assert route(msg(), None, ON_THREAD, ME) == rt.Route(RouteKind.READ)


def test_an_intro_handed_to_the_assistant_is_a_new_intro():
    assert route(msg(ALICE, in_reply_to=None), INTRO, ThreadFacts(source="intake"), ME).kind is RouteKind.NEW_INTRO
    assert route(msg(ALICE, in_reply_to=None), INTRO, ThreadFacts(handed=True), ME).kind is RouteKind.NEW_INTRO
    # Only seen in her inbox, not handed: no referral of its own (the outcome step asks or lists it).
    assert route(msg(ALICE, in_reply_to=None), INTRO, ThreadFacts(), ME).kind is RouteKind.UNRELATED


def test_an_intro_from_someone_on_the_thread_is_conversation_not_a_new_intro():
    # The prospect's reply-all quotes the intro, so it reads as one: she is on the referral, so it is her reply.
    facts = replace(ON_THREAD, source="intake", handed=True)
    r = route(msg(CAROL), INTRO, facts, ME)
    assert r.kind is RouteKind.REPLY_ON and r.referrals == ("r1",)


def test_an_intro_from_someone_on_the_thread_of_someone_it_does_not_follow_is_a_new_intro_and_her_message():
    """Carol, the prospect, brings in her colleague Erin on the intro's thread (writers' files: 26 such
    intros were news on Carol's referral and lost, stop 28); Alice, the referrer, making a second intro there
    is new too. The route keeps the thread's referrals, so the message is still Carol's reply on hers."""
    erin = Person("Erin Colleague", "erin@example.net")
    facts = replace(ON_THREAD, source="intake", handed=True)
    carol_brings_erin = Understanding(kind=Kind.INTRO, confidence=0.9, referrer=CAROL, prospects=(erin,))
    r = route(msg(CAROL, cc=(erin,)), carol_brings_erin, facts, ME)
    assert r.kind is RouteKind.NEW_INTRO and r.referrals == ("r1",)
    alice_again = Understanding(kind=Kind.INTRO, confidence=0.9, referrer=ALICE, prospects=(DAN,))
    r = route(msg(ALICE, to=(OWNER, DAN)), alice_again, replace(facts, sender_person=ALICE.email), ME)
    assert r.kind is RouteKind.NEW_INTRO and r.referrals == ("r1",)
    # Not handed to the assistant (only seen in her inbox): her reply, as before.
    assert route(msg(CAROL, cc=(erin,)), carol_brings_erin, ON_THREAD, ME).kind is RouteKind.REPLY_ON
    # Someone off the thread making an intro: a new intro with no message on any referral.
    assert route(msg(ALICE, in_reply_to=None), INTRO, ThreadFacts(source="intake"), ME).referrals == ()


def test_the_owners_reply_all_to_a_followed_intro_is_her_hand_touch_even_where_she_refers_another():
    """Her reply-all to Alice's intro of Carol (the assistant in BCC), on a thread where the referral also
    names her as a referrer (an intro of hers that Carol was on joined it): her first touch by hand, never
    "the referrer chiming in" (w101/093 was noted and nothing else, so refmail would still send its own)."""
    track = Track("r1", INTRO_ID, frozenset({CAROL.email, DAN.email}), frozenset({ALICE.email, OWNER.email}))
    facts = ThreadFacts(thread=(track,), linked=("r1",), nearest=("thread", "r1"), source="intake", handed=True)
    r = route(msg(OWNER, to=(CAROL,)), INTRO, facts, ME)
    assert r.kind is RouteKind.OWNER_WROTE and r.referrals == ("r1",)
    assert route(msg(ALICE, to=(CAROL,)), INTRO, replace(facts, sender_person=ALICE.email), ME).kind \
        is RouteKind.REFERRER_WROTE


def test_a_sure_intro_off_the_thread_is_still_its_followed_writers_reply_or_the_owners_hand_written_mail():
    """Carol, followed, writes on a new thread to introduce Erin: her open referral counts it as her answer. The
    owner's own intro of Dan, followed, to Erin: her mail to Dan by hand (stop 29: a sure reading lost both)."""
    erin = Person("Erin Colleague", "erin@example.net")
    carol_brings_erin = Understanding(kind=Kind.INTRO, confidence=0.9, referrer=CAROL, prospects=(erin,))
    off_thread = ThreadFacts(source="intake", open_with={CAROL.email: (CAROL_TRACK,)}, sender_person=CAROL.email)
    r = route(msg(CAROL, to=(OWNER, erin), in_reply_to=None), carol_brings_erin, off_thread, ME)
    assert r.kind is RouteKind.NEW_INTRO and r.referrals == ("r1",)
    hers = Understanding(kind=Kind.INTRO, confidence=0.9, referrer=OWNER, prospects=(DAN, erin), owner_is_referrer=True)
    dans = ThreadFacts(source="intake", open_with={DAN.email: (DAN_TRACK,)})
    r = route(msg(OWNER, to=(DAN, erin), in_reply_to=None), hers, dans, ME)
    assert r.kind is RouteKind.NEW_INTRO and r.referrals == ("r2",)


def test_news_on_a_referral_that_more_likely_than_not_hides_an_intro_is_also_asked_about():
    """Carol's reply that reads, unsure but at even odds or better, as her introducing someone new: the reply
    is recorded on her referral and the owner is asked about the intro. Below even odds, or naming only the
    intro refmail follows, it is the thread's business."""
    from refmail.domain.types import Reading

    erin = Person("Erin Colleague", "erin@example.net")
    unsure = Understanding(kind=Kind.REPLY, confidence=0.9, reply_text="Adding Erin", unsure=True,
                           readings=(Reading(CAROL, (erin,), rt.EVEN_ODDS),))
    r = route(msg(CAROL, cc=(erin,)), unsure, ON_THREAD, ME)
    assert r.kind is RouteKind.REPLY_ON and r.referrals == ("r1",) and r.asks
    below = replace(unsure, readings=(Reading(CAROL, (erin,), rt.EVEN_ODDS - 0.01),))
    assert not route(msg(CAROL, cc=(erin,)), below, ON_THREAD, ME).asks
    the_intro_itself = replace(unsure, readings=(Reading(ALICE, (CAROL,), 0.9),))
    assert not route(msg(CAROL), the_intro_itself, ON_THREAD, ME).asks
    assert not route(msg(CAROL, cc=(erin,)), replace(unsure, unsure=False), ON_THREAD, ME).asks
    # The referrer chiming in with an unsure second intro: noted on the referral, and asked about.
    alice = replace(ON_THREAD, sender_person=ALICE.email)
    by_alice = replace(unsure, readings=(Reading(ALICE, (DAN,), 0.7),))
    r = route(msg(ALICE, to=(OWNER, DAN)), by_alice, alice, ME)
    assert r.kind is RouteKind.REFERRER_WROTE and r.asks


def test_the_owner_writing_by_hand_is_on_the_referrals_of_the_prospects_she_wrote_to():
    facts = ThreadFacts(thread=(CAROL_TRACK, DAN_TRACK), linked=("r1",),
                        open_with={DAN.email: (DAN_TRACK,)})
    r = route(msg(OWNER, to=(DAN,)), REPLY, facts, ME)
    assert r.kind is RouteKind.OWNER_WROTE and r.referrals == ("r2",)
    assert route(msg(OWNER, to=(ALICE,)), REPLY, facts, ME).referrals == ()


def test_the_owner_introducing_a_followed_client_to_someone_new_is_news_and_a_question():
    """Her unsure intro of Dan (whom refmail follows) to Erin, the assistant copied: the news on Dan's referral
    is recorded, and she is asked about the intro, which was otherwise lost behind it (writers' files, stop 27)."""
    from refmail.domain.outcome import Facts, Outcome, settle
    from refmail.domain.types import Reading

    erin = Person("Erin New", "erin@example.net")
    facts = ThreadFacts(open_with={DAN.email: (DAN_TRACK,)})
    unsure = Understanding(kind=Kind.OTHER, confidence=0.6, unsure=True,
                           readings=(Reading(OWNER, (DAN, erin), 0.6, owner_is_referrer=True),))
    r = route(msg(OWNER, to=(DAN, erin), in_reply_to=None), unsure, facts, ME)
    assert r.kind is RouteKind.OWNER_WROTE and r.referrals == ("r2",) and r.asks
    assert settle(Facts(handed=True, referral=False, event=True, asks=r.asks), unsure) is Outcome.QUESTION
    assert settle(Facts(handed=False, referral=False, event=True, asks=r.asks), unsure) is Outcome.POSSIBLE
    # Readings that name only people refmail follows (her reply-all after the prospect answered first), or a
    # sure reading: news alone.
    followed_only = replace(unsure, readings=(Reading(ALICE, (DAN,), 0.6),))
    assert not route(msg(OWNER, to=(DAN,), in_reply_to=None), followed_only, facts, ME).asks
    # Two clients refmail follows (each introduced by Alice), introduced to each other by the owner: new.
    both = ThreadFacts(open_with={DAN.email: (DAN_TRACK,), CAROL.email: (CAROL_TRACK,)})
    to_each_other = replace(unsure, readings=(Reading(OWNER, (DAN, CAROL), 0.6, owner_is_referrer=True),))
    assert route(msg(OWNER, to=(DAN, CAROL), in_reply_to=None), to_each_other, both, ME).asks
    # The same two, each followed on an intro the owner made herself (to others), introduced to each other: each
    # pair (prospect, owner) is followed, but no one intro has both (w177/119 was news and nothing else).
    hers = ThreadFacts(open_with={DAN.email: (Track("r3", "own-1@example.com", frozenset({DAN.email, "x@example.net"}),
                                                    frozenset({OWNER.email})),),
                                  CAROL.email: (Track("r4", "own-2@example.com", frozenset({CAROL.email}),
                                                      frozenset({OWNER.email})),)})
    assert route(msg(OWNER, to=(DAN, CAROL), in_reply_to=None), to_each_other, hers, ME).asks
    # Her reply-all on one of those intros names its own people: news alone.
    again = replace(unsure, readings=(Reading(OWNER, (DAN, Person("", "x@example.net")), 0.6, owner_is_referrer=True),))
    assert not route(msg(OWNER, to=(DAN,), in_reply_to=None), again, hers, ME).asks
    sure = replace(unsure, unsure=False)
    assert not route(msg(OWNER, to=(DAN, erin), in_reply_to=None), sure, facts, ME).asks
    assert settle(Facts(handed=True, referral=False, event=True), unsure) is Outcome.EVENT


def test_the_owners_address_with_a_failed_dkim_is_not_trusted_unless_in_her_own_sent_folder():
    assert route(msg(OWNER, headers=(FORGED,)), REPLY, ON_THREAD, ME).kind is RouteKind.NOT_TRUSTED
    assert route(msg(OWNER, headers=(FORGED,)), REPLY, replace(ON_THREAD, source="sent"), ME).kind \
        is RouteKind.OWNER_WROTE


def test_a_reply_from_the_prospects_address_or_another_of_hers_is_on_her_tracks():
    assert route(msg(CAROL), REPLY, ON_THREAD, ME) == rt.Route(RouteKind.REPLY_ON, ("r1",))
    # Written from another address refmail learnt is hers; and her open referral off the thread counts too.
    elsewhere = Track("r9", "other-intro@example.org", frozenset({CAROL.email}))
    facts = replace(ON_THREAD, sender_person=CAROL.email, open_with={CAROL.email: (elsewhere,)})
    r = route(msg(Person("", "carol@home.example")), REPLY, facts, ME)
    assert r.kind is RouteKind.REPLY_ON and r.referrals == ("r1", "r9") and r.by_address


def test_a_new_address_answering_our_keyed_mail_to_one_prospect_is_hers_by_the_thread():
    facts = replace(ON_THREAD, nearest=("draft", "r1"), sender_person="assistant@carol.example")
    r = route(msg(Person("", "assistant@carol.example")), REPLY, facts, ME)
    assert r == rt.Route(RouteKind.REPLY_ON, ("r1",), by_address=False)


def test_a_new_address_answering_only_the_intro_is_untied_and_the_whole_group_is_asked_about():
    facts = ThreadFacts(thread=(CAROL_TRACK, DAN_TRACK), linked=("r1",), nearest=("thread", "r2"),
                        sender_person="eve@example.com")
    r = route(msg(Person("", "eve@example.com")), REPLY, facts, ME)
    assert r.kind is RouteKind.UNTIED_REPLY and r.referrals == ("r2", "r1")


def test_the_referrer_chiming_in_is_noted_not_counted():
    facts = replace(ON_THREAD, sender_person=ALICE.email)
    assert route(msg(ALICE), REPLY, facts, ME) == rt.Route(RouteKind.REFERRER_WROTE, ("r1",))


def test_mail_on_no_referral_is_unrelated():
    assert route(msg(Person("", "x@example.com"), in_reply_to=None), REPLY, ThreadFacts(), ME).kind \
        is RouteKind.UNRELATED


def test_a_reply_on_no_followed_thread_that_may_introduce_someone_asks_at_any_odds():
    """No news would tell of it: Sarah answering Olivia's "yes" to her double opt-in ask with Pete's details."""
    from refmail.domain.types import Reading

    sarah, pete = Person("Sarah", "sarah@example.org"), Person("", "pete@example.net")
    unsure = Understanding(kind=Kind.REPLY, confidence=0.9, reply_text="His details: pete@example.net", unsure=True,
                           readings=(Reading(sarah, (pete,)),))
    r = route(msg(sarah, in_reply_to="ask-1@example.com"), unsure, ThreadFacts(), ME)
    assert r.kind is RouteKind.UNRELATED and r.asks
    assert not route(msg(sarah, in_reply_to="ask-1@example.com"), replace(unsure, unsure=False), ThreadFacts(), ME).asks


def test_autoreplies_and_bounces_go_to_their_handlers_bounces_before_any_trust_check():
    auto = Understanding(kind=Kind.AUTOREPLY, confidence=0.95)
    r = route(msg(CAROL), auto, ON_THREAD, ME)
    assert r.kind is RouteKind.AUTOREPLY_ON and r.referrals == ("r1",)
    bounce = Understanding(kind=Kind.BOUNCE, confidence=0.95, failed_addresses=(CAROL.email,))
    assert route(msg(Person("", "mailer-daemon@example.net"), headers=(FORGED,)), bounce, ON_THREAD, ME).kind \
        is RouteKind.BOUNCE_ON
    forged_carol = ("Authentication-Results", "mx.example.com; dmarc=fail header.from=example.net")
    assert route(msg(CAROL, headers=(forged_carol,)), auto, ON_THREAD, ME).kind is RouteKind.NOT_TRUSTED
    assert route(msg(CAROL, headers=(forged_carol,)), REPLY, ON_THREAD, ME).kind is RouteKind.NOT_TRUSTED


@pytest.mark.parametrize("u, sender, expected", [
    (replace(INTRO, prospect_replied=True, replied_by=CAROL), CAROL, RouteKind.REPLY_ON),
    (replace(INTRO, prospect_replied=True, replied_by=CAROL), OWNER, RouteKind.FORWARDED_REPLY),
    (INTRO, OWNER, RouteKind.OWNER_WROTE),
    (replace(INTRO, owner_is_referrer=True), OWNER, None),
    (INTRO, ALICE, None),
])
def test_what_else_an_intro_just_taken_is(u, sender, expected):
    assert rt.with_intro(msg(sender), u, ME) is expected


def test_every_route_has_a_handler():
    from refmail.app.process import HANDLERS

    assert set(HANDLERS) == set(RouteKind) - {RouteKind.READ, RouteKind.FORWARDED_REPLY}


def test_an_intro_joins_the_open_referral_of_a_prospect_already_followed_and_starts_the_rest():
    from refmail.domain.intake import plan_intake

    group = replace(INTRO, prospects=(CAROL, DAN, CAROL))
    plan = plan_intake(group, {CAROL.email: "r1"})
    assert plan.joined == ("r1",) and plan.fresh == (DAN,) and plan.one_track
    plan = plan_intake(group, {})
    assert plan.joined == () and plan.fresh == (CAROL, DAN) and not plan.one_track
    # Her own intro of two contacts: one referral, one check-in to both.
    assert plan_intake(replace(group, owner_is_referrer=True), {}).one_track


def test_a_new_referrer_is_thanked_on_rejoining_but_not_the_owner():
    from refmail.domain.intake import thank_again

    assert thank_again(True, ALICE, ME)
    assert not thank_again(False, ALICE, ME)
    assert not thank_again(True, OWNER, ME)
    assert not thank_again(True, None, ME)


def test_someone_copied_in_and_spoken_of_on_a_followed_thread_is_asked_about_whatever_the_score():
    """"By the way, I add Norbert (cc), he runs the moulding shop next door; Norbert, Zuzana is who we use": an intro
    made in passing in a reply on a thread refmail follows. The reading is the structure (a newcomer from another
    firm, copied and named), not an intro score, so the even-odds line for scored readings does not hide it; a
    newcomer whose address is only written in the text stays the thread's business there."""
    from refmail.domain.types import Reading

    norbert = Person("Norbert Varga", "norbert@moulding.example")
    copied = Understanding(kind=Kind.REPLY, confidence=0.9, reply_text="I add Norbert (cc)", unsure=True,
                           readings=(Reading(CAROL, (norbert,), copied_in=True),))
    r = route(msg(CAROL, cc=(norbert,)), copied, ON_THREAD, ME)
    assert r.kind is RouteKind.REPLY_ON and r.referrals == ("r1",) and r.asks
    written = replace(copied, readings=(Reading(CAROL, (norbert,)),))
    assert not route(msg(CAROL), written, ON_THREAD, ME).asks
