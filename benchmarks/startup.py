"""CPU start-up of the commands a user types often, against a bare interpreter, with and without .pyc.

    python -m benchmarks.startup [--repeat 7]

Each command runs as a fresh `python -m refmail` process; its user+system CPU time (not wall time:
this machine is shared) is read from getrusage(RUSAGE_CHILDREN). The idle `run --once` polls a real
local Dovecot (refmail.mail.world) with nothing new in it; `drafts` and `referrals` read an empty store; `parse`
reads one intro from the corpus, so it includes spaCy; `approve` approves one first touch (seeded last, through
the app, one per run). Each figure is the median of --repeat runs.
Last, for comparison, the CPU of one idle cycle inside a running daemon (`refmail run`, the documented way
to run refmail: imports paid once, IMAP connections kept), measured in this process.

Two figures per command. The headline, "installed", is what a real install sees: bytecode allowed,
in a temporary PYTHONPYCACHEPREFIX folder that one warm-up run of each command fills first (pip
compiles an installed package's modules the same way). "no .pyc" is this checkout as the machine
runs it, with PYTHONDONTWRITEBYTECODE=1: the dependencies' .pyc that pip wrote are read, refmail's
own modules (an editable install, never compiled) are compiled from source at every start.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_INTRO = ROOT / "tests" / "corpus" / "intro" / "086_group.eml"


def cpu_of(argv: list[str], env: dict[str, str], cwd: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def modes(env: dict[str, str], pycache: Path) -> dict[str, dict[str, str]]:
    """The two environments measured: bytecode cached in `pycache` (warmed first), and none written."""
    plain = {k: v for k, v in env.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    return {
        "installed (.pyc)": plain | {"PYTHONPYCACHEPREFIX": str(pycache)},
        "no .pyc (this checkout)": plain | {"PYTHONDONTWRITEBYTECODE": "1"},
    }


def seed_drafts(env: dict[str, str], count: int) -> list[str]:
    """`count` intros taken into the store as the daemon takes them: a first touch each for `approve`."""
    from refmail.app import report
    from refmail.app.intake import take_intro
    from refmail.config import load_settings
    from refmail.domain.types import Kind, ParsedMessage, Person, Understanding
    from refmail.wiring import build_app

    app = build_app(load_settings(environ=env))
    now, referrer = app.clock.now(), Person("Alice Source", "alice@example.org")
    for i in range(count):
        prospect = Person(f"Carol {i}", f"carol{i}@example.net")
        parsed = ParsedMessage(f"intro-{i}@example.org", "Intro", referrer, (prospect,), (), (), now, None, (), (), "")
        with app.sessions.begin() as s:
            take_intro(s, app, parsed, Understanding(Kind.INTRO, 1.0, referrer=referrer, prospects=(prospect,)), now)
    return [d["id"] for d in report.drafts(app) if d["kind"] == "first_touch"]


def daemon_idle_cycle(env: dict[str, str], repeat: int) -> float:
    """CPU seconds of one idle cycle as the daemon runs it: in this process, after two cycles warmed it up."""
    from datetime import timedelta

    from refmail.app.kept import KeptMailboxes
    from refmail.config import load_settings
    from refmail.daemon import run_once
    from refmail.wiring import build_app

    app = build_app(load_settings(environ=env))
    now = app.clock.now()  # REFMAIL_NOW
    kept = KeptMailboxes.open(app)
    try:
        cpu = []
        for minute in range(2 + repeat):
            began = time.process_time()
            run_once(app, now + timedelta(minutes=minute), kept)
            cpu.append(time.process_time() - began)
        return statistics.median(cpu[2:])
    finally:
        kept.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from refmail.demo import world_env
    from refmail.domain.types import Person
    from refmail.mail.world import MailWorld

    owner, assistant = Person("Olivia Owner", "owner@example.com"), "assistant@example.com"
    with tempfile.TemporaryDirectory() as tmp, MailWorld.start(users=[owner.email, assistant]) as world:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REFMAIL_")}
        env |= world_env(world, owner, assistant, Path(tmp)) | {"REFMAIL_NOW": "2026-11-16T09:00:00+00:00"}
        refmail = [sys.executable, "-m", "refmail"]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "refmail --version": [*refmail, "--version"],
            "refmail drafts": [*refmail, "drafts"],
            "refmail referrals": [*refmail, "referrals"],
            "refmail run --once (idle)": [*refmail, "run", "--once", "-q"],
            "refmail parse (one file)": [*refmail, "parse", str(CORPUS_INTRO)],
        }
        envs = modes(env, Path(tmp) / "pycache")
        subprocess.run(commands["refmail run --once (idle)"], env=envs["installed (.pyc)"], cwd=tmp, check=True,
                       capture_output=True)  # the store and the checkpoints, so later cycles are idle
        for argv in commands.values():  # fills the .pyc folder
            cpu_of(argv, envs["installed (.pyc)"], tmp)
        if (ROOT / "refmail" / "__pycache__").exists():
            print(f"note: {ROOT / 'refmail' / '__pycache__'} exists, so the no-.pyc figures read .pyc too")

        print(f"CPU seconds at start-up, median of {args.repeat} runs (user + system)")
        print(f"  {'':<28} {'installed (.pyc)':>24}   {'no .pyc (this checkout)':>24}")
        base: dict[str, float] = {}
        for name, argv in commands.items():
            cells = []
            for mode, mode_env in envs.items():
                median = statistics.median(cpu_of(argv, mode_env, tmp) for _ in range(args.repeat))
                base.setdefault(mode, median)
                cells.append(f"{median:6.3f} s (+{median - base[mode]:.3f})")
            print(f"  {name:<28} {cells[0]:>24}   {cells[1]:>24}")
        # Last: approving needs drafts, and drafts would give the idle cycle approval requests to send.
        ids = iter(seed_drafts(env, 1 + 2 * args.repeat))
        cpu_of([*refmail, "approve", next(ids)], envs["installed (.pyc)"], tmp)  # its modules' .pyc
        cells = []
        for mode, mode_env in envs.items():
            median = statistics.median(cpu_of([*refmail, "approve", next(ids)], mode_env, tmp)
                                       for _ in range(args.repeat))
            cells.append(f"{median:6.3f} s (+{median - base[mode]:.3f})")
        print(f"  {'refmail approve (a draft)':<28} {cells[0]:>24}   {cells[1]:>24}")
        print("  (+x: over a bare interpreter)")
        print(f"  idle cycle inside the running daemon (`refmail run`: imports done, connections kept): "
              f"{daemon_idle_cycle(env, args.repeat) * 1000:.1f} ms CPU, median of {args.repeat}")
        print(f"  load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
