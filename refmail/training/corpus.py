"""Labelled .eml folders -> candidate texts with their class, as the intro step reads them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from refmail.domain.detect import model_features, read_cues
from refmail.domain.detection_rules import DetectionRules
from refmail.domain.extract import QUOTED, How
from refmail.domain.nlp import ClassifierText, Pipeline
from refmail.domain.parse import parse_message
from refmail.domain.pipeline import addressed, intro_candidates, setting
from refmail.domain.routing import RouteKind, with_intro
from refmail.domain.types import Identity, ParsedMessage, Person, Understanding

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OWNER = Identity(Person("Olivia Owner", "owner@example.com"), ("olivia@owner.example",), "assistant@example.com")
# Everything labelled that the model may learn from. The held-back split (tests/corpus_heldback) is
# never here: it is read once, by the benchmark, to report the figure nobody tuned against.
TRAINING_FOLDERS = ("tests/corpus", "tests/corpus_holdout", "tests/corpus_found", "tests/corpus_written/*",
                    "../shared/corpus")
SKIPPED_KINDS = {"autoreply", "bounce"}  # the screens set these aside before any intro is looked for
# The team's own corpora were built file by file around product decisions (every audit miss became a
# file with its reading): their labels count for more than bulk mail's. They are also the easiest mail.
CURATED = {"corpus": 3.0, "corpus_holdout": 3.0, "corpus_found": 3.0}


def identity_for(label: dict) -> Identity:
    """The mailbox a labelled message was written for (each writer had their own owner and assistant)."""
    owner = (label.get("owner") or "owner@example.com").lower()
    aliases = tuple(a.lower() for a in label.get("owner_aliases") or ())
    if owner == DEFAULT_OWNER.owner.email:
        return Identity(DEFAULT_OWNER.owner, DEFAULT_OWNER.owner_aliases + aliases, DEFAULT_OWNER.assistant)
    return Identity(Person(label.get("owner_name", ""), owner), aliases,
                    (label.get("assistant") or "assistant@example.com").lower())


def mailbox_settings(labels: list[dict]) -> tuple[str, str]:
    """REFMAIL_OWNER and REFMAIL_ASSISTANT for a writer's whole mailbox, to run it through the app. Her other
    addresses come from every label: a writer names one only on the labels of messages that use it."""
    me = identity_for(labels[0]) if labels else DEFAULT_OWNER
    aliases = dict.fromkeys(a for label in labels for a in identity_for(label).owner_aliases)
    return ", ".join([f"{me.owner.name} <{me.owner.email}>", *aliases]), me.assistant


def email_of(value) -> str:
    """A label's person: an address, or {name, email} (the shared corpus); or a Person refmail found."""
    if isinstance(value, dict):
        return (value.get("email") or "").lower()
    if isinstance(value, Person):
        return value.email
    return (value or "").lower()


def acted_as_reply(label: dict, got: Understanding, msg: ParsedMessage) -> bool:
    """A labelled reply that refmail reads as the intro it answers, and acts on as the reply it is.

    Such readings draft no first touch: an intro the prospect already answered (refmail records the reply),
    and an intro quoted in the owner's own reply-all to the prospects, the assistant brought in there
    (refmail tracks it and counts her reply as the first touch: routing.with_intro). A writer who calls
    either a "reply" is right, and so is refmail.
    """
    if label["kind"] != "reply" or not got.is_intro:
        return False
    route = with_intro(msg, got, identity_for(label))
    if route is RouteKind.OWNER_WROTE:
        reached = {p.email for p in msg.to + msg.cc}
        return bool(got.prospects) and all(p.email in reached for p in got.prospects)
    return route is not None


def training_folders(root: Path = ROOT) -> list[Path]:
    found: list[Path] = []
    for pattern in TRAINING_FOLDERS:
        paths = root.glob(pattern) if "*" in pattern else [root / pattern]
        found += sorted(p.resolve() for p in paths if (p / "labels.yaml").exists())
    return found


def load_labels(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / "labels.yaml").read_text()) or []


def in_validation(folder: Path, file: str, share: float = 0.2) -> bool:
    """A fixed fifth of a folder, by a hash of its name: the split when there are too few writers to hold any out."""
    digest = hashlib.sha256(f"{folder.name}/{file}".encode()).digest()
    return digest[0] < 256 * share


def validation_writers(folders: list[Path], share: float = 0.25) -> set[Path]:
    """The newest writers, held out of the first fit: the thresholds are chosen on writers the model never
    read, as it will meet its users' correspondents. A split by message flatters it: one writer's habits
    land on both sides (0.97 precision there, 0.95 on the next writers). So do writers whose misses shaped
    the rules: chosen at random among all writers they put recall at 0.978 and the line at 0.65, where the
    next unseen writers got 0.910; on writers the rules had not yet met, that line gave 0.934 and 0.30 gave
    0.975 at precision 0.990. Writers are numbered as they join (w1, w2, ...): the newest were read least.

    Writers given another brief than the held-back split's (briefs.yaml beside their folders: look-alikes
    written to be hard) train the model but choose no line: their mix of intros and look-alikes is not the
    one the lines are chosen for.

    Empty when fewer than three writers' folders are given: then the split is by message (in_validation).
    """
    briefs = {parent: other_brief(parent) for parent in {f.parent for f in folders}}
    writers = [f for f in folders if f.name not in CURATED and f.name not in briefs[f.parent]]
    if len(writers) < 3:
        return set()
    newest = sorted(writers, key=lambda f: (writer_number(f.name), f.name), reverse=True)
    return set(newest[:max(1, round(len(writers) * share))])


def other_brief(folder: Path) -> frozenset[str]:
    """The writers in `folder` given another brief than the standard one (its briefs.yaml; none without)."""
    briefs = folder / "briefs.yaml"
    if not briefs.is_file():
        return frozenset()
    return frozenset(w for writers in (yaml.safe_load(briefs.read_text()) or {}).values() for w in writers or ())


def writer_number(name: str) -> int:
    digits = re.fullmatch(r"w(\d+)", name)
    return int(digits.group(1)) if digits else -1


@dataclass(frozen=True)
class Example:
    """One candidate text, its cue values, and what it is: "intro", "ask" or "other"."""

    key: str  # folder/file: candidates of one message stay on one side of every split
    text: ClassifierText
    cues: dict[str, float]
    label: str
    weight: float = 1.0


# The weight of text quoted in mail labelled "other". Learnt in full, the old intros writers quote under other
# business taught that quoted intro text is no intro, and a rebuild read intros quoted under the prospect's
# reply as replies; learnt not at all, quoted look-alikes read as intros (stop 29: three rebuilds side by side).
# The regression weighs it so; the text classifier counts whole examples (round(weight)): it skips such a text
# in a writer's folder, and learns it twice rather than three times in the curated corpora.
QUOTED_OTHER_WEIGHT = 0.5


def _klass(label: dict, how: How, matches: bool) -> str | None:
    kind = label["kind"]
    if kind == "intro":
        if matches:
            return "intro"
        return "other" if how is How.DIRECT else None  # the owner's "see below" is not intro text; quotes are unknown
    if how is not How.DIRECT:
        # A reply's quoted intro is intro text, yet the message is no intro: learn nothing from it. What is
        # forwarded in mail labelled "other" (the receipt the owner forwards) is what an intro is not: unseen,
        # being handed on by the owner outweighed every word, and a forwarded receipt scored 0.95. What is
        # quoted in it may be an old intro all the same (an invoice on the intro's thread): it teaches at
        # half weight (examples_of, QUOTED_OTHER_WEIGHT).
        return "other" if kind == "other" else None
    return "ask" if kind == "double_opt_in_ask" else "other"


def examples_of(folder: Path, label: dict, pipe: Pipeline, rules: DetectionRules) -> list[Example]:
    if label["kind"] in SKIPPED_KINDS:
        return []
    msg = parse_message((folder / label["file"]).read_bytes())
    if not isinstance(msg, ParsedMessage):
        return []
    identity = identity_for(label)
    cands = intro_candidates(msg, identity, rules)
    referrer = email_of(label.get("referrer"))
    writers = [(c.referrer.email if c.referrer else "") for c in cands]
    lone = len(cands) == 1
    if label["kind"] == "intro" and referrer not in writers and not lone:
        return []  # which candidate is the intro is unknown (an assistant writing for her boss): learn nothing
    out = []
    for cand, writer in zip(cands, writers):
        klass = _klass(label, cand.how, matches=lone or writer == referrer)
        if klass is None:
            continue
        cues = read_cues(pipe, cand.subject, cand.body, addressed(cand, identity), owner=identity.owner)
        features = model_features(cues.features, setting(cand, msg, identity))
        quoted_other = label["kind"] == "other" and cand.how in QUOTED
        out.append(Example(f"{folder.name}/{label['file']}", cues.model_text, features, klass,
                           CURATED.get(folder.name, 1.0) * (QUOTED_OTHER_WEIGHT if quoted_other else 1.0)))
    return out
