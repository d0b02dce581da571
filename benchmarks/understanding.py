"""Precision/recall per kind, referrer/prospect exact match and throughput over labelled .eml folders.

    python -m benchmarks.understanding [FOLDER ...]

Each FOLDER holds a labels.yaml (list of {file, kind, referrer, prospects | parties, owner}).
Defaults: tests/corpus, tests/corpus_holdout (written blind to the rules), tests/corpus_found (an audit's
fresh mail) and, if present, ../shared/corpus.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from refmail.domain.detection_rules import DetectionRules
from refmail.domain.parse import parse_message
from refmail.domain.pipeline import understand
from refmail.domain.types import Identity, Kind, ParsedMessage, Person, Understanding

ROOT = Path(__file__).resolve().parent.parent
KINDS = [k.value for k in Kind]
DEFAULT_OWNER = Identity(Person("Olivia Owner", "owner@example.com"), ("olivia@owner.example",), "assistant@example.com")


def identity_for(label: dict) -> Identity:
    owner = label.get("owner")
    if (not owner or owner == "owner@example.com") and not label.get("owner_aliases"):
        return DEFAULT_OWNER
    if owner == "owner@example.com":  # the default owner, with the aliases this message needs
        return Identity(DEFAULT_OWNER.owner, DEFAULT_OWNER.owner_aliases + tuple(label["owner_aliases"]),
                        DEFAULT_OWNER.assistant)
    return Identity(Person("", owner.lower()), tuple(a.lower() for a in label.get("owner_aliases", ())),
                    label.get("assistant", "assistant@example.com"))


def _email(value) -> str:
    if isinstance(value, dict):
        return (value.get("email") or "").lower()
    if isinstance(value, Person):
        return value.email
    return (value or "").lower()


@dataclass
class Result:
    label: dict
    got: Understanding | None
    error: str = ""


@dataclass
class Report:
    folder: Path | None = None
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0
    understand_seconds: float = 0.0

    def kinds(self) -> dict[str, tuple[float | None, float | None, int]]:
        table = {}
        for kind in KINDS:
            tp = fp = fn = support = 0
            for r in self.results:
                want = r.label["kind"]
                got = r.got.kind.value if r.got else "error"
                definite = want != "nonintro" or kind in ("intro", "autoreply", "bounce")
                if want == kind:
                    support += 1
                    tp += got == kind
                    fn += got != kind
                elif got == kind and definite:
                    fp += 1
            precision = tp / (tp + fp) if tp + fp else None
            recall = tp / (tp + fn) if tp + fn else None
            if support or fp:
                table[kind] = (precision, recall, support)
        return table

    def exact(self) -> tuple[float | None, float | None, int]:
        intros = [r for r in self.results if r.label["kind"] == "intro"]
        if not intros:
            return None, None, 0
        ref = pros = 0
        for r in intros:
            u = r.got
            if u is None or not u.is_intro:
                continue
            ref += _email(u.referrer) == _email(r.label.get("referrer"))
            got = {p.email for p in u.prospects}
            if "prospects" in r.label:
                want = {_email(p) for p in r.label["prospects"]}
            else:  # shared corpus: "parties" are everyone introduced, the owner's side included
                want = {_email(p) for p in r.label.get("parties", [])}
                got |= {u.receiver.email} if u.receiver and u.receiver.email in want else set()
            pros += got == want
        return ref / len(intros), pros / len(intros), len(intros)

    def unsafe(self) -> list[str]:
        return [r.label["file"] for r in self.results
                if r.label["kind"] in ("autoreply", "bounce") and r.got and r.got.kind in (Kind.INTRO, Kind.REPLY)]


def run(folder: Path, rules: DetectionRules, passes: int = 3) -> Report:
    """Read every labelled file; time the last of ``passes`` runs (steady state: caches and lazy imports warm)."""
    labels = yaml.safe_load((folder / "labels.yaml").read_text()) or []
    raws = [(folder / label["file"]).read_bytes() for label in labels]
    for _ in range(passes - 1):
        for label, raw in zip(labels, raws):
            msg = parse_message(raw)
            if isinstance(msg, ParsedMessage):
                understand(msg, identity_for(label), rules)
    report = Report(folder=folder)
    for label, raw in zip(labels, raws):
        started = time.perf_counter()
        msg = parse_message(raw)
        parsed_at = time.perf_counter()
        got = understand(msg, identity_for(label), rules) if isinstance(msg, ParsedMessage) else None
        done = time.perf_counter()
        report.seconds += done - started
        report.understand_seconds += done - parsed_at
        report.results.append(Result(label, got, "" if got else getattr(msg, "error", "")))
    return report


def _fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def print_report(name: str, report: Report, out=sys.stdout) -> None:
    n = len(report.results)
    print(f"\n== {name}: {n} messages", file=out)
    print(f"{'kind':<18} {'precision':>9} {'recall':>7} {'n':>5}", file=out)
    for kind, (p, r, support) in report.kinds().items():
        print(f"{kind:<18} {_fmt(p):>9} {_fmt(r):>7} {support:>5}", file=out)
    ref, pros, k = report.exact()
    print(f"referrer exact match  {_fmt(ref)}   prospects exact match {_fmt(pros)}   (over {k} labelled intros)", file=out)
    unsafe = report.unsafe()
    print(f"autoreply/bounce read as intro or reply: {len(unsafe)} {unsafe[:5]}", file=out)
    errors = [r.label['file'] for r in report.results if r.got is None]
    print(f"parse failures: {len(errors)} {errors[:3]}", file=out)
    if n and report.seconds:
        print(f"throughput: {n / report.seconds:7.0f} msg/s parse+understand, "
              f"{n / report.understand_seconds:7.0f} msg/s understand only (one core)", file=out)
    confusion = Counter((r.label["kind"], r.got.kind.value if r.got else "error") for r in report.results)
    print("confusion (label -> got): " + ", ".join(f"{a}->{b}: {c}" for (a, b), c in sorted(confusion.items()) if a != b),
          file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.understanding", description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--misses", action="store_true", help="list every message whose kind was wrong")
    args = parser.parse_args(argv)
    defaults = (ROOT / "tests" / "corpus", ROOT / "tests" / "corpus_holdout", ROOT / "tests" / "corpus_found",
                ROOT.parent / "shared" / "corpus")
    folders = args.folders or [p for p in defaults if (p / "labels.yaml").exists()]
    rules = DetectionRules()
    warm = parse_message(b"From: a@b.example\nSubject: warm up\n\nOlivia, meet Carol. Back on Monday.")
    understand(warm, DEFAULT_OWNER, rules)
    for folder in folders:
        report = run(folder, rules)
        print_report(str(folder), report)
        if args.misses:
            for r in report.results:
                got = r.got.kind.value if r.got else "error"
                want = r.label["kind"]
                if got != want and not (want == "nonintro" and got != "intro"):
                    print(f"  MISS {r.label['file']}: {want} -> {got} {list(r.got.reasons)[:4] if r.got else r.error}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\npeak memory (max RSS): {peak / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
