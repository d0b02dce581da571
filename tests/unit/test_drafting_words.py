"""Issue 10: what drafting says is true (BCC), quotes what it answers, and names people as a person would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from refmail.domain.drafting import ReferralFacts, SentRef, names_list, plan
from refmail.domain.introline import about_prospect, longest_copied_run, reads_as_english
from refmail.domain.rules import DraftKind
from refmail.domain.types import Person
from refmail.render import Renderer

OWNER = Person("Olivia Owner", "owner@example.com")
ALICE = Person("Alice Source", "alice@example.org")
BOB = Person("Bob Second", "bob@example.org")
CAROL = Person("Carol Prospect", "carol@example.net")
DAN = Person("Dan Other", "dan@example.net")
EVE = Person("Eve Third", "eve@example.net")
INTRO = ("Olivia, meet Carol. Carol runs operations at Petrov Tech and is moving their books off spreadsheets. "
         "Carol, Olivia is the person I trust most with this kind of thing. I'll let you two take it from here. Alice")
R = Renderer()


def facts(**kw) -> ReferralFacts:
    base = dict(referral_id="r1", owner=OWNER, referrers=(ALICE,), prospects=(CAROL,), intro_subject="Intro",
                intro_message_id="intro@x", context=INTRO)
    return ReferralFacts(**(base | kw))


def test_bcc_only_when_the_rule_says_so_and_the_text_follows():
    on = plan(DraftKind.FIRST_TOUCH, facts(bcc_referrer=True))
    off = plan(DraftKind.FIRST_TOUCH, facts(bcc_referrer=False))
    assert on.bcc == (ALICE,) and off.bcc == ()
    assert "BCC" in R.draft(on)[1]
    assert "BCC" not in R.draft(off)[1] and "Alice was kind enough to introduce us." in R.draft(off)[1]


def test_the_referrer_is_never_bcc_of_her_own_prospect_or_of_the_owner():
    assert plan(DraftKind.FIRST_TOUCH, facts(bcc_referrer=True, referrers=(CAROL,))).bcc == ()


def test_first_touch_rephrases_the_prospect_clause_in_the_owners_voice():
    body = R.draft(plan(DraftKind.FIRST_TOUCH, facts(bcc_referrer=True)))[1]
    assert "Alice mentioned that you run operations at Petrov Tech and are moving your books off spreadsheets." in body
    assert "trust most" not in body and "take it from here" not in body and "meet Carol" not in body
    assert longest_copied_run(body, INTRO) < 12


def test_nothing_usable_gives_nothing_odd():
    assert about_prospect("Olivia <> Rosa, you two should talk.", ["Rosa"], "Yuki") == ""
    assert about_prospect("Jonas leitet den Vertrieb bei Becker Maschinen.", ["Jonas"], "Anna") == ""
    # A clause that turns to the referrer's own story is cut where it does.
    assert about_prospect("Jonah is hiring their first sales lead and asked me who I'd call.", ["Jonah"], "Marcus") \
        == "Marcus mentioned that you're hiring your first sales lead."


def test_second_message_quotes_the_first_under_an_attribution_line():
    first = SentRef("ft@x", "Alice Source suggested we connect", "Hi Carol,\n\nA note.\n\nBest,\nOlivia\n",
                    datetime(2027, 3, 2, 15, 4, tzinfo=UTC))
    spec = plan(DraftKind.SECOND_TOUCH, facts(first_touch=first))
    subject, body = R.draft(spec)
    assert subject == "Re: Alice Source suggested we connect" and spec.in_reply_to == "ft@x"
    assert "On Tue, 2 Mar 2027 at 15:04, Olivia Owner wrote:\n> Hi Carol,\n>\n> A note.\n>\n> Best,\n> Olivia" in body
    # Her hand-written first touch did not name Alice: the subject does.
    hand = SentRef("h@x", "Re: Intro: Olivia <> Carol", "Carol, lovely to meet you.", None)
    assert R.draft(plan(DraftKind.SECOND_TOUCH, facts(first_touch=hand)))[0] == "Alice Source suggested we connect"
    # No first touch on record: no "note below" that is not there.
    assert "below" not in R.draft(plan(DraftKind.SECOND_TOUCH, facts()))[1]


def test_lists_of_people_read_naturally():
    assert names_list(["Carol"]) == "Carol"
    assert names_list(["Carol", "Dan"]) == "Carol and Dan"
    assert names_list(["Carol", "Dan", "Eve"]) == "Carol, Dan and Eve"
    three = facts(prospects=(CAROL, DAN, EVE), unanswered=2)
    for kind in DraftKind:
        subject, body = R.draft(plan(kind, three))
        assert " and Dan and " not in body + subject, kind
    assert "Carol, Dan and Eve and I are" not in R.draft(plan(DraftKind.KEEP_IN_LOOP, three))[1]
    assert "written to Carol, Dan and Eve twice" in R.draft(plan(DraftKind.ESCALATION, three))[1]
    assert "written to Carol since" in R.draft(plan(DraftKind.ESCALATION, facts(unanswered=1)))[1]


def test_a_second_referrer_is_thanked_in_her_own_name():
    spec = plan(DraftKind.THANK_SOURCE, facts(referrers=(ALICE, BOB), thank_to=BOB, already_contacted=True))
    subject, body = R.draft(spec)
    assert spec.to == (BOB,) and body.startswith("Hi Bob,")
    assert "I've written to Carol" in body and "reaching out to Carol now" not in body


# Sentences the first touch wrote for writers' intros nobody on the team had read (stop 36): each said
# something odd to the prospect, with the referrer in BCC.
def test_a_noun_that_needs_its_who_is_not_cut_from_it():
    assert about_prospect("Dale is the bloke who rebuilt the main engine on the Stefanus.", ["Dale"], "Greg") == ""
    assert about_prospect("Carol is CFO of Rhine Bulk, who are buying the ship.", ["Carol"], "Alice") \
        == "Alice mentioned that you're CFO of Rhine Bulk."


def test_a_context_cut_short_gives_no_half_sentence():
    cut = "Hannah heads sourcing at Albion Fine Meats. Pieter is Director of Global Sourcing at Treeline Outdoor Electron\u2026"
    assert about_prospect(cut, ["Pieter"], "Hannah") == ""
    assert about_prospect(cut, ["Hannah"], "Pieter") == "Pieter mentioned that you head sourcing at Albion Fine Meats."


def test_an_intro_in_another_language_is_not_half_translated():
    afrikaans = ("Jan is die nuwe HR-bestuurder by NamCut Diamonds in Windhoek. Hy soek 'n vennoot vir die opleiding "
                 "van sy span en ek het gedink julle moet gesels.")
    dutch = "Pieter is CEO van Peeters Logistics in Genk. Hij zoekt een partner voor de douane en ik dacht aan jou."
    assert about_prospect(afrikaans, ["Jan"], "Anna") == ""
    assert about_prospect(dutch, ["Pieter"], "Anna") == ""
    assert reads_as_english("Pieter runs Van Dam Thee in Haarlem and is looking for a partner for customs.")


def test_praise_ties_and_what_the_prospect_lacks_are_not_repeated_to_her():
    assert about_prospect("Mele is a force of nature.", ["Mele"], "Sione") == ""
    assert about_prospect("Rua is a good friend.", ["Rua"], "Sione") == ""
    assert about_prospect("Priscilla's team has never shipped into Timor-Leste.", ["Priscilla"], "Harriet") == ""
    assert about_prospect("Tom runs Seaview Farms and is very keen on drones.", ["Tom"], "Ana") \
        == "Ana mentioned that you run Seaview Farms."
    assert about_prospect("Viliami is building 24 townhouses in Namaka and selling them on a strata title.",
                          ["Viliami"], "Ana") == "Ana mentioned that you're building 24 townhouses in Namaka."
    # A capitalised word is a name, not praise.
    assert about_prospect("Mia runs Best Western Suva.", ["Mia"], "Ana") == "Ana mentioned that you run Best Western Suva."


def test_a_clause_is_cut_where_it_ends_not_inside_a_number_or_a_noun_phrase():
    assert about_prospect("Kiptoo runs Sirikwa Microfinance. They have about 9,000 clients, mostly table-banking groups.",
                          ["Kiptoo"], "Nyokabi") == "Nyokabi mentioned that you run Sirikwa Microfinance."
    assert about_prospect("Wanjiru has about 9,000 clients, mostly table-banking groups.", ["Wanjiru"], "Nyokabi") \
        == "Nyokabi mentioned that you have about 9,000 clients."
    assert about_prospect("Layla - Reza has one of the most interesting collections of Iranian modernist and contemporary "
                          "art outside Tehran (about 300 works).", ["Reza"], "Natasha") == ""


@pytest.mark.parametrize("intro,said", [
    ("Mark handles the Mexico operation and speaks Spanish.", "you handle the Mexico operation"),
    ("Ken is the managing partner and Ingrid runs IT at Tanaka Burke.", "you're the managing partner"),
    ("Tom runs sales and marketing at Fernhill.", "you run sales and marketing at Fernhill"),
    ("Jo owns Procter and Gamble Supplies in Leeds.", "you own Procter and Gamble Supplies in Leeds"),
    ("Li leads procurement and logistics for Nordia.", "you lead procurement and logistics for Nordia"),
    ("Sam runs ops and plans routes for Kite Freight.", "you run ops and plan routes for Kite Freight"),
])
def test_an_and_ends_the_clause_only_where_someone_else_or_an_unknown_verb_begins(intro, said):
    assert about_prospect(intro, [intro.split()[0]], "Alice") == f"Alice mentioned that {said}."


def test_her_age_and_family_are_not_repeated_to_her():
    assert about_prospect("Lan is 26 and recently joined her family's group in Dubai.", ["Lan"], "Mai") == ""
    assert about_prospect("Tom has 2 small children born in Hong Kong.", ["Tom"], "Mai") == ""
    assert about_prospect("Ana is a capable and sensible woman.", ["Ana"], "Mai") == ""
    assert about_prospect("Pema is a young Darjeeling girl.", ["Pema"], "Mai") == ""
    assert about_prospect("Rahul is an old client.", ["Rahul"], "Mai") == ""
    assert about_prospect("Ravi has mentioned a few times he'd like to know what his practice is worth.", ["Ravi"],
                          "Mai") == ""


def test_a_title_cut_from_its_firm_is_too_little_to_say():
    assert about_prospect("Sunil Kapoor is Director, International Business at VoltEdge Systems.",
                          ["Sunil Kapoor", "Sunil"], "Ravi") == ""
    assert about_prospect("Sunil is Director of International Business at VoltEdge.", ["Sunil"], "Ravi") \
        == "Ravi mentioned that you're Director of International Business at VoltEdge."


def test_an_adverb_keeps_the_verb_in_the_second_person():
    assert about_prospect("Nomsa currently owns finance at Kalahari Manganese.", ["Nomsa"], "Thabo") \
        == "Thabo mentioned that you currently own finance at Kalahari Manganese."


def hello(*prospects: Person, referrer: Person = ALICE) -> str:
    return R.draft(plan(DraftKind.FIRST_TOUCH, facts(prospects=prospects, referrers=(referrer,), bcc_referrer=True)))[1]


GREETED = [
    ("GIRARD Matthieu", "Matthieu"), ("Mr. HO Ka Wai", "Ka Wai"), ("Wolfgang STEINER", "Wolfgang"),
    ("Phạm Thị Lan", "Lan"), ("Nguyen Van An", "An"), ("Anh Nguyen", "Anh"), ("森 健二", "森 健二"), ("伊藤 綾 様", "伊藤 綾"),
    ("林思颖 Sylvia Lim", "林思颖"), ("الشيخ سعود القاسمي", "سعود"), ("Ni Luh Putu Ayu", "Putu"),
    ("I Made Wirawan", "Made"), ("Ir. Muh. Rusdi", "Rusdi"), ("Capt. (Retd.) Nurul Amin", "Nurul"),
    ("AJ Smith", "AJ"), ("Trịnh Thu Hà", "Hà"), ("Hạnh Nguyễn", "Hạnh"), ("Lưu Văn Minh", "Minh"),
]


@pytest.mark.parametrize("name,greeted", GREETED)
def test_people_are_greeted_by_the_name_they_go_by(name, greeted):
    assert hello(Person(name, "someone@x.example")).startswith(f"Hi {greeted},")


def test_a_referrer_is_thanked_by_her_name_not_her_title():
    assert "Thank you, Ramanathan, for" in hello(CAROL, referrer=Person("Prof. S. Ramanathan", "r@x.example"))


def test_someone_known_only_by_an_initial_is_greeted_without_it_and_named_by_address():
    initial = Person("", "a.jovanovic@sava-capital.example")
    assert hello(initial).startswith("Hi there,")
    assert hello(initial, CAROL).startswith("Hi all,")
    escalation = R.draft(plan(DraftKind.ESCALATION, facts(prospects=(initial,), unanswered=2)))[1]
    assert "written to a.jovanovic@sava-capital.example twice" in escalation
    assert hello(Person("zhangmin", "zhangmin@huaxing.example")).startswith("Hi Zhangmin,")
