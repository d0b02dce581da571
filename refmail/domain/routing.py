"""Where one message goes: a pure choice over the message, its reading and what the store knows of its thread.

Like Mailman's chains, the choice is a value (a Route) and the app runs the handler its table names for it;
nothing here reads the database. The store's facts come in as ThreadFacts, loaded in one place
(app/thread_facts.py), so every route can be tested without a server.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from refmail.domain import invitation as ics
from refmail.domain.approvals import Authenticity, authenticity, looks_like_approval
from refmail.domain.questions import looks_like_answer
from refmail.domain.types import Identity, Kind, ParsedMessage, Reading, Understanding


class RouteKind(enum.StrEnum):
    OURS = "ours"  # refmail's own mail (X-Refmail): never a reply
    SENT_BY_OWNER = "sent_by_owner"  # one of our drafts, sent by the owner from her own mail client
    APPROVAL_ANSWER = "approval_answer"
    QUESTION_ANSWER = "question_answer"
    MEETING = "meeting"  # an invitation that sets a meeting between the owner and a prospect
    READ = "read"  # nothing so far: the message must be understood before it can be routed
    NEW_INTRO = "new_intro"
    OWNER_WROTE = "owner_wrote"  # the owner wrote by hand (to a prospect, or to no one refmail follows)
    NOT_TRUSTED = "not_trusted"  # the receiving server said the From is forged
    REPLY_ON = "reply_on"  # a prospect's reply on referrals refmail follows
    FORWARDED_REPLY = "forwarded_reply"  # the prospect's reply, forwarded to the assistant with the intro
    UNTIED_REPLY = "untied_reply"  # a reply on the thread nobody can tie to one prospect: the owner is asked
    REFERRER_WROTE = "referrer_wrote"  # the referrer chiming in on the thread: noted, not a reply
    AUTOREPLY_ON = "autoreply_on"
    BOUNCE_ON = "bounce_on"
    UNRELATED = "unrelated"  # about no referral refmail follows


@dataclass(frozen=True)
class Track:
    """One referral as routing sees it: who is on it, and which group intro it belongs to."""

    id: str
    intro_message_id: str
    prospects: frozenset[str] = frozenset()
    referrers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Meeting:
    """An invitation in the message that sets a meeting with the prospect of one referral."""

    invitation: ics.Invitation
    address: str  # as the invitation names her
    referral_id: str


@dataclass(frozen=True)
class ThreadFacts:
    """What the store knows that routing needs, read once (app/thread_facts.py) before the choice."""

    source: str = "inbox"  # intake | inbox | sent
    handed: bool = False  # given to the assistant (its mailbox, its address in To/Cc, Delivered-To)
    # A draft of ours with this Message-ID; in her Sent folder, one named by the draft header.
    draft_by_message_id: bool = False
    draft_by_marker: bool = False
    sender_person: str | None = None  # the sender, or the person she is another address of
    thread: tuple[Track, ...] = ()  # every referral the thread touches, with the other tracks of a group intro
    linked: tuple[str, ...] = ()  # referrals linked to the thread itself, nearest Message-ID first
    # Open referrals with each address (the sender's person, every recipient) as prospect, oldest first.
    open_with: Mapping[str, tuple[Track, ...]] = field(default_factory=dict)
    # The nearest Message-ID of the thread that is refmail's: ("draft", referral) for our mail to one
    # prospect, ("thread", referral) for any other message of a referral (the intro); None for neither.
    nearest: tuple[str, str] | None = None
    # Invitation addresses (and the person each is) with open referrals a meeting can be set on.
    meetable: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def in_sent(self) -> bool:
        return self.source == "sent"

    def track(self, referral_id: str) -> Track | None:
        for t in self.thread + tuple(t for ts in self.open_with.values() for t in ts):
            if t.id == referral_id:
                return t
        return None

    def group(self, referral_id: str) -> tuple[Track, ...]:
        """A referral and the other tracks of its group intro (itself first), as far as the thread shows."""
        me = self.track(referral_id)
        if me is None:
            return ()
        return (me, *sorted((t for t in self.thread if t.intro_message_id == me.intro_message_id and t.id != me.id),
                            key=lambda t: t.id))


@dataclass(frozen=True)
class Route:
    """The choice, with what its handler needs: the referrals it is on, or the meetings it sets."""

    kind: RouteKind
    # The referrals it is on; NEW_INTRO: those of the thread its writer is already on (her message there too).
    referrals: tuple[str, ...] = ()
    by_address: bool = True  # REPLY_ON: False when tied by the thread only (a new address for the prospect)
    # OWNER_WROTE, REPLY_ON, REFERRER_WROTE, UNTIED_REPLY: an unsure reading introduces someone these referrals
    # do not follow; the news is recorded and the owner is asked about the rest.
    asks: bool = False
    meetings: tuple[Meeting, ...] = ()
    why: str = ""


def forged(parsed: ParsedMessage) -> str:
    """Why the From cannot be believed (the receiving server's DKIM/SPF/DMARC said fail), or ""."""
    if parsed.sender is None:
        return ""
    verdict, why = authenticity(parsed, {parsed.sender.email.rpartition("@")[2]})
    return why if verdict is Authenticity.FAILED else ""


def from_owner(parsed: ParsedMessage, identity: Identity) -> bool:
    """Sent by the owner, as far as the receiving server could tell: one of her addresses, DKIM/SPF not failed."""
    return parsed.sender is not None and identity.is_owner(parsed.sender.email) and not forged(parsed)


def route(parsed: ParsedMessage, u: Understanding | None, facts: ThreadFacts, identity: Identity) -> Route:
    """The one route for a message. With no reading yet (u None) it may answer READ: read it, then ask again."""
    settled = _unread_route(parsed, facts, identity)
    if settled is not None:
        return settled
    return Route(RouteKind.READ) if u is None else _read_route(parsed, u, facts, identity)


def _unread_route(parsed: ParsedMessage, facts: ThreadFacts, identity: Identity) -> Route | None:
    """Routes the headers and the store decide, before anything is read (and paid for)."""
    if parsed.header("X-Refmail"):
        return Route(RouteKind.OURS, why="refmail's own message")
    if _our_draft(parsed, facts, identity):
        return Route(RouteKind.SENT_BY_OWNER, why="a refmail draft the owner sent from her mail client")
    if looks_like_approval(parsed):
        return Route(RouteKind.APPROVAL_ANSWER, why="approval reply")
    if looks_like_answer(parsed):
        return Route(RouteKind.QUESTION_ANSWER, why="answer to a question")
    met = meetings_set(parsed, facts, identity)
    return Route(RouteKind.MEETING, meetings=met) if met else None


def _read_route(parsed: ParsedMessage, u: Understanding, facts: ThreadFacts, identity: Identity) -> Route:
    sender = parsed.sender.email if parsed.sender else None
    on_thread = u.is_intro and sender is not None and party_on_thread(facts, sender)
    if on_thread and not _unfollowed([u], facts.thread):
        # Someone already on a referral's thread writing on it (the prospect's reply-all quoting the
        # intro, the referrer chiming in) is a conversation, not a new introduction. The owner answering
        # someone else's intro refmail follows is her mail by hand, also where she is the referrer of another
        # intro on the thread (her reply-all, the assistant in BCC, is her first touch, never "the referrer
        # chiming in"); on her own intro's thread she is its referrer, and its check-in stays.
        if identity.is_owner(sender) and not u.owner_is_referrer:
            return _owner_wrote(parsed, u, facts, identity)
        return track_route(parsed, u, facts, identity)
    if u.is_intro and (facts.source == "intake" or facts.handed):
        # On a thread, an intro of someone its referrals do not follow (the prospect bringing in a colleague,
        # the referrer of one intro making another) is new, and still her message on the thread. The owner's
        # own intro of clients refmail follows to someone new is also her message to them, written by hand.
        # A prospect refmail follows who writes, off the thread, to introduce someone has answered all the same.
        if u.owner_is_referrer and from_owner(parsed, identity):
            return Route(RouteKind.NEW_INTRO, referrals=owner_wrote_on(parsed, facts))
        if on_thread:
            return Route(RouteKind.NEW_INTRO, referrals=tuple(t.id for t in facts.thread))
        hers = reply_route(sender, facts, identity)
        return Route(RouteKind.NEW_INTRO, referrals=hers.referrals if hers.kind is RouteKind.REPLY_ON else ())
    if sender is not None and identity.is_owner(sender):
        return _owner_wrote(parsed, u, facts, identity)
    news = track_route(parsed, u, facts, identity)
    if news.kind is RouteKind.UNRELATED and u.kind is Kind.REPLY:
        # A reply on no thread refmail follows: no news would tell of an intro in it, so any reading asks.
        return replace(news, asks=names_someone_new(u, facts, ()))
    if news.kind in (RouteKind.REPLY_ON, RouteKind.REFERRER_WROTE, RouteKind.UNTIED_REPLY):
        return replace(news, asks=names_someone_new(u, facts, news.referrals, at_least=EVEN_ODDS))
    return news


def _owner_wrote(parsed: ParsedMessage, u: Understanding, facts: ThreadFacts, identity: Identity) -> Route:
    """The owner's own mail (unless forged): on the referrals whose prospects she writes to."""
    why = forged(parsed) if not facts.in_sent else ""
    if why:
        return Route(RouteKind.NOT_TRUSTED, why=why)
    referrals = owner_wrote_on(parsed, facts)
    return Route(RouteKind.OWNER_WROTE, referrals=referrals, asks=names_someone_new(u, facts, referrals))


# Someone on a referral's thread writes, and the reading says "more likely an intro than not" without being
# sure: the news on the referral would hide it, so the owner is asked. Lower readings there are the thread's
# own business (over the labelled corpora at stop 28: 20 intros and 35 other messages at or above the line,
# none and 12 between 0.4 and it, 6 and 185 below 0.4). A reading of someone from another firm copied onto the
# reply and named in it is asked about whatever its score. Through the app at stop 35, over the 25 labelled folders
# (4,340 messages) where a reply carries one: 1 intro made in passing that was lost behind the news is asked about,
# at the cost of 16 questions on other mail (about one in 2,700 labelled messages); a dropped intro costs more.
EVEN_ODDS = 0.5


def names_someone_new(u: Understanding, facts: ThreadFacts, referrals: tuple[str, ...], at_least: float = 0.0) -> bool:
    """An unsure reading (scored ``at_least``, or someone copied in and spoken of) that introduces someone, by
    someone, that none of ``referrals`` follows.

    The owner writing to a client refmail follows is news on that referral; when she introduces that client
    to someone new, or two followed clients to each other, the intro is hers to confirm, or it is lost behind
    the news. Her reply-all on an intro refmail already follows names the same referrer and prospect: news only.
    """
    readings = [r for r in u.readings if r.score >= at_least or r.copied_in]
    return u.unsure and _unfollowed(readings, _tracks(facts, referrals))


def _tracks(facts: ThreadFacts, referrals: Iterable[str]) -> tuple[Track, ...]:
    return tuple(t for rid in referrals if (t := facts.track(rid)) is not None)


def _unfollowed(readings: Iterable[Understanding | Reading], tracks: Iterable[Track]) -> bool:
    """Some reading introduces people that no one intro refmail follows (its referrals, by intro message) has,
    each with that referrer: a prospect named with a new referrer, or the owner introducing two clients she
    introduced to others before, each followed on an intro of its own, to each other."""
    intros: dict[str, list[Track]] = {}
    for t in tracks:
        intros.setdefault(t.intro_message_id, []).append(t)
    return any(not any(_covers(group, r) for group in intros.values()) for r in readings if r.prospects)


def _covers(group: list[Track], reading: Understanding | Reading) -> bool:
    referrer = reading.referrer.email if reading.referrer else None
    return all(any(p.email in t.prospects and referrer in t.referrers for t in group) for p in reading.prospects)


def with_intro(parsed: ParsedMessage, u: Understanding, identity: Identity) -> RouteKind | None:
    """What else an intro just taken is: the prospect's reply that carried it (forwarded by the owner, or her
    own reply-all), or the owner's first touch (her reply-all, the assistant in BCC); None when nothing."""
    sender = parsed.sender
    forwarded = u.replied_by is not None and (sender is None or u.replied_by.email != sender.email)
    if u.prospect_replied:
        return RouteKind.FORWARDED_REPLY if forwarded else RouteKind.REPLY_ON
    if not u.owner_is_referrer and from_owner(parsed, identity):
        return RouteKind.OWNER_WROTE
    return None


def _our_draft(parsed: ParsedMessage, facts: ThreadFacts, identity: Identity) -> bool:
    """Her Sent folder is hers, so a copy there is believed by our draft header too; any other copy counts
    only from her, not forged, with the draft's own keyed Message-ID (only someone who saw it can write it)."""
    if facts.in_sent:
        return facts.draft_by_marker or facts.draft_by_message_id
    return facts.draft_by_message_id and from_owner(parsed, identity)


def track_route(parsed: ParsedMessage, u: Understanding, facts: ThreadFacts, identity: Identity) -> Route:
    """Replies, out-of-office notices and bounces on referrals refmail follows."""
    if u.kind is Kind.BOUNCE:
        return Route(RouteKind.BOUNCE_ON)
    why = forged(parsed)
    if why:
        return Route(RouteKind.NOT_TRUSTED, why=why)
    if u.kind is Kind.AUTOREPLY:
        return Route(RouteKind.AUTOREPLY_ON, referrals=autoreply_on(facts))
    return reply_route(parsed.sender.email if parsed.sender else None, facts, identity)


def reply_route(sender: str | None, facts: ThreadFacts, identity: Identity) -> Route:
    """Whose reply is this? Any reply in the thread counts (DESIGN: "from any address but ours").

    Her known address (or another address of hers) ties it to her tracks. An unknown address answering
    our own mail to one prospect is tied to her: its Message-ID is keyed, only its readers know it. One
    answering only the intro, which everyone on it knows, cannot be told from a stranger: the owner says.
    """
    if sender is None:
        return Route(RouteKind.UNRELATED)
    person = facts.sender_person or sender
    known = {t.id: t for t in facts.thread + facts.open_with.get(person, ()) if person in t.prospects}
    if known and not identity.is_ours(sender):
        return Route(RouteKind.REPLY_ON, referrals=tuple(known))
    referrer_on = tuple(t.id for t in facts.thread if sender in t.referrers)
    if referrer_on:  # the referrer chiming in (the owner too, when she made the intro) is no prospect's answer
        return Route(RouteKind.REFERRER_WROTE, referrals=referrer_on)
    return Route(RouteKind.UNRELATED) if identity.is_ours(sender) else _by_thread(facts)


def _by_thread(facts: ThreadFacts) -> Route:
    """An unknown address, tied by what it answers: our keyed mail to one prospect, or only the intro."""
    if facts.nearest is None:
        return Route(RouteKind.UNRELATED)
    how, rid = facts.nearest
    if how == "draft":
        return Route(RouteKind.REPLY_ON, referrals=(rid,), by_address=False)
    group = facts.group(rid)
    return Route(RouteKind.UNTIED_REPLY, referrals=tuple(t.id for t in group)) if group else Route(RouteKind.UNRELATED)


def party_on_thread(facts: ThreadFacts, email: str) -> bool:
    """Someone on a referral of this thread (any track of a group intro), by any address of theirs."""
    person = facts.sender_person or email
    return any(person in t.prospects | t.referrers for t in facts.thread)


def owner_wrote_on(parsed: ParsedMessage, facts: ThreadFacts) -> tuple[str, ...]:
    """The referrals whose prospect the owner wrote to by hand: on the thread, or open with a recipient."""
    to = {p.email for p in parsed.recipients}
    candidates = {rid: facts.track(rid) for rid in facts.linked}
    for person in parsed.recipients:
        candidates.update((t.id, t) for t in facts.open_with.get(person.email, ()))
    return tuple(rid for rid, t in candidates.items() if t is not None and t.prospects & to)


def autoreply_on(facts: ThreadFacts) -> tuple[str, ...]:
    """The referrals an out-of-office speaks for: the sender's, on the thread or open elsewhere."""
    person = facts.sender_person
    if person is None:
        return ()
    tracks = {t.id: t for t in facts.thread + facts.open_with.get(person, ())}
    return tuple(rid for rid, t in tracks.items() if person in t.prospects)


def meetings_set(parsed: ParsedMessage, facts: ThreadFacts, identity: Identity) -> tuple[Meeting, ...]:
    """Every prospect an invitation in this message sets a meeting with.

    Only the owner or the prospect herself (any address of hers) can set it: a third party's invitation
    naming them both changes nothing. Her forward of the prospect's answer carries its invitation attached.
    """
    sender = parsed.sender.email if parsed.sender else ""
    if not sender or (not facts.in_sent and forged(parsed)):
        return ()
    owner = identity.owner_emails
    texts = list(parsed.calendars)
    if sender in owner:
        texts += [c for inner in parsed.attached for c in inner.calendars]
    invitations = [inv for inv in map(ics.read, texts) if inv is not None]
    return tuple(m for inv in invitations for m in _meetings_in(inv, sender, owner, facts))


def _meetings_in(inv: ics.Invitation, sender: str, owner: frozenset[str], facts: ThreadFacts) -> list[Meeting]:
    found = []
    for address in sorted(inv.people - owner):
        person, rids = facts.meetable.get(address, (address, ()))
        if sender in owner | {person, address} and (inv.meeting_set(owner, address) or inv.meeting_set(owner, person)):
            found += [Meeting(inv, address, rid) for rid in rids]
    return found


def invitation_addresses(parsed: ParsedMessage) -> tuple[str, ...]:
    """Everyone an invitation in the message (or one attached) names: whose referrals the store is asked for."""
    out: dict[str, None] = {}
    for text in list(parsed.calendars) + [c for inner in parsed.attached for c in inner.calendars]:
        inv = ics.read(text)
        if inv is not None:
            out.update(dict.fromkeys(sorted(inv.people)))
    return tuple(out)
