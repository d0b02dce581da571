"""How mail handed to the assistant ends, per corpus: referral, event, not an intro (listed), question; and silence.

    python -m benchmarks.outcomes [--misses] [--asked] [--drafts] [FOLDER ...]

Every labelled file arrives in the assistant's own mailbox (as a To/Cc, a BCC or a forward would) on a
throw-away SQLite store and goes through the real processing step. Target: 0 silent outcomes. Also: how
many labelled intros became questions (refmail unsure) and how many non-intros did (questions it need not ask).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import select

from refmail.app import process
from refmail.app.ingest import message_id_of
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.domain.outcome import HANDED, Outcome
from refmail.store import models as m
from refmail.training.corpus import mailbox_settings
from refmail.wiring import build_app

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = [ROOT / "tests" / "corpus", ROOT / "tests" / "corpus_holdout", ROOT / "tests" / "corpus_found",
            ROOT.parent / "shared" / "corpus"]
NOW = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


def run(folder: Path) -> tuple[Counter[str], Counter[str], int, float, list[tuple[str, str]], list[tuple[str, str]],
                              list[str]]:
    """(outcomes, questions by labelled kind, messages, seconds of CPU in processing,
    (file, outcome) of each labelled intro that did not become a referral,
    (file, kind and reading) of each other message that became a question,
    each first touch drafted: subject, recipients and opening lines, to read as the prospect and referrer will)."""
    labels = yaml.safe_load((folder / "labels.yaml").read_text())
    owner, assistant = mailbox_settings(labels)  # a writer's own mailbox (one per folder), or the team's default
    with tempfile.TemporaryDirectory() as tmp:
        env = {"REFMAIL_OWNER": owner,
               "REFMAIL_ASSISTANT": assistant, "REFMAIL_INTAKE_IMAP_USER": assistant,
               "REFMAIL_DATABASE_URL": f"sqlite:///{tmp}/refmail.db", "REFMAIL_SECRET": "benchmark-secret",
               "REFMAIL_DATA_DIR": tmp}
        app = build_app(load_settings(environ=env), clock=FixedClock(NOW))
        kinds: dict[int, str] = {}
        files: dict[int, str] = {}
        with app.sessions.begin() as s:
            seen: set[str] = set()
            for uid, label in enumerate(labels, 1):
                path = folder / label["file"]
                if not path.exists():
                    continue
                raw = path.read_bytes()
                mid = message_id_of(raw)
                if mid in seen:
                    continue
                seen.add(mid)
                row = m.Message(message_id=mid, account=assistant, folder="INBOX", source="intake", uid=uid,
                                raw=raw, received_at=NOW)
                s.add(row)
                s.flush()
                kinds[row.id] = label["kind"]
                files[row.id] = label["file"]
        started = time.process_time()
        for _ in range(3):  # a message set back by a conflict ("retried next cycle") is read on the next cycle
            process.process_pending(app, NOW)
        seconds = time.process_time() - started
        outcomes: Counter[str] = Counter()
        asked: Counter[str] = Counter()
        missed: list[tuple[str, str]] = []
        needless: list[tuple[str, str]] = []
        with app.sessions() as s:
            for row in s.scalars(select(m.Message)):
                outcome = row.outcome if row.outcome in {o.value for o in HANDED} else "SILENT"
                outcomes[outcome] += 1
                if outcome == Outcome.QUESTION.value:
                    asked[kinds[row.id]] += 1
                    if kinds[row.id] != "intro":
                        needless.append((files[row.id], f"{kinds[row.id]}, read as {row.kind}: {row.summary}"))
                if outcome == Outcome.NOT_INTRO.value and kinds[row.id] == "intro":
                    asked["intro called not an intro"] += 1
                if kinds[row.id] == "intro" and outcome != Outcome.REFERRAL.value:
                    missed.append((files[row.id], f"{outcome}, read as {row.kind}: {row.summary}"))
            drafts = [f"{d.subject} | {', '.join(p['email'] for p in d.to)} | "
                      + " / ".join([ln for ln in d.body.splitlines() if ln.strip()][:3])
                      for d in s.scalars(select(m.Draft).where(m.Draft.kind == "first_touch").order_by(m.Draft.id))]
        return outcomes, asked, len(kinds), seconds, sorted(missed), sorted(needless), drafts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--misses", action="store_true",
                        help="list every labelled intro that did not become a referral, with how it ended")
    parser.add_argument("--asked", action="store_true",
                        help="list every message not labelled an intro that became a question, with its reading")
    parser.add_argument("--drafts", action="store_true",
                        help="print every first touch drafted (subject, recipients, opening lines), to read as the "
                             "prospect and the referrer in BCC will")
    args = parser.parse_args(argv)
    for folder in args.folders or [f for f in DEFAULTS if (f / "labels.yaml").exists()]:
        outcomes, asked, n, seconds, missed, needless, drafts = run(folder)
        print(f"{folder.name}: {n} messages handed to the assistant, {outcomes.get('SILENT', 0)} silent")
        for outcome in [o.value for o in Outcome if o in HANDED]:
            print(f"  {outcome:<10} {outcomes.get(outcome, 0):>5}")
        dropped = asked.pop("intro called not an intro", 0)
        print(f"  labelled intros listed as not an intro (told in the digest, no question): {dropped}")
        print(f"  questions on labelled intros {asked.get('intro', 0)}, on the rest {sum(asked.values()) - asked.get('intro', 0)}"
              f"; processing {n / seconds if seconds else 0:.0f} messages per CPU-second (store included)")
        for file, outcome in missed if args.misses else []:
            print(f"  MISS {file}: {outcome}")
        for file, reading in needless if args.asked else []:
            print(f"  ASKED {file}: {reading}")
        if args.drafts:
            said = sum(" mentioned that " in d or " I understand that " in d for d in drafts)
            nameless = sum(" | Hi there," in d or " | Hi all," in d for d in drafts)
            print(f"  first touches {len(drafts)}: {said} say what the intro said of the prospect, "
                  f"{nameless} greet no name (known only by an initial or an address)")
            for line in drafts:
                print(f"  DRAFT {line}")


if __name__ == "__main__":
    main()
