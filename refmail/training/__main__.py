"""`python -m refmail.training [--out DIR]`: rebuild the shipped intro model from the labelled corpora."""

from __future__ import annotations

import argparse
from pathlib import Path

from refmail.nlp_load import BUILTIN_MODEL
from refmail.training.fit import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refmail.training", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=BUILTIN_MODEL, help="where to write the model (default: the shipped one)")
    parser.add_argument("folders", nargs="*", type=Path, help="labelled folders (default: every training corpus)")
    args = parser.parse_args(argv)
    build(args.out, folders=args.folders or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
