"""CPU start-up of the commands a user types often, against a bare interpreter.

    python -m benchmarks.startup [--repeat 7]

Each command runs as a fresh `python -m refmail` process; its user+system CPU time (not wall time:
this machine is shared) is read from getrusage(RUSAGE_CHILDREN). The idle `run --once` polls a real
local Dovecot (refmail.mail.world) with nothing new in it; `drafts` reads an empty store; `parse`
reads one intro from the corpus, so it includes spaCy. Each figure is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CORPUS_INTRO = Path(__file__).resolve().parents[1] / "tests" / "corpus" / "intro" / "086_group.eml"


def cpu_of(argv: list[str], env: dict[str, str], cwd: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
        subprocess.run([*refmail, "run", "--once", "-q"], env=env, cwd=tmp, check=True, capture_output=True)  # store, checkpoints
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "refmail --version": [*refmail, "--version"],
            "refmail drafts": [*refmail, "drafts"],
            "refmail run --once (idle)": [*refmail, "run", "--once", "-q"],
            "refmail parse (one file)": [*refmail, "parse", str(CORPUS_INTRO)],
        }
        print(f"CPU seconds at start-up, median of {args.repeat} runs (user + system)")
        base = None
        for name, argv in commands.items():
            median = statistics.median(cpu_of(argv, env, tmp) for _ in range(args.repeat))
            base = median if base is None else base
            print(f"  {name:<28} {median:6.3f} s   (+{median - base:.3f} over a bare interpreter)")
        print(f"  load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
