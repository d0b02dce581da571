"""`python -m refmail.training [--out DIR]`: rebuild the shipped intro and person models from the labelled corpora."""

from __future__ import annotations

import argparse
from pathlib import Path

from refmail.nlp_load import BUILTIN_MODEL
from refmail.training.corpus import training_folders
from refmail.training.fit import build
from refmail.training.people import build_people


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m refmail.training", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=BUILTIN_MODEL, help="where to write the model (default: the shipped one)")
    parser.add_argument("--people-only", action="store_true",
                        help="refit only the person model (who of those addressed is introduced) into --out")
    parser.add_argument("folders", nargs="*", type=Path, help="labelled folders (default: every training corpus)")
    args = parser.parse_args(argv)
    if args.people_only:
        build_people(args.out, args.folders or training_folders())
    else:
        build(args.out, folders=args.folders or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
