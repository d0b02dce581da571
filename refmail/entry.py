"""The `refmail` command's entry point: answers `--version` before importing anything heavy."""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Start-up creates a few hundred thousand objects (modules, classes, SQLAlchemy's tables) that live as
    # long as the process: the cyclic collector would scan them again and again for nothing (a fifth of a
    # listing command's CPU). It is paused here and resumed by refmail.cli.started(), once they exist.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _main(args, argv)
    finally:
        if paused:  # a caller in this process (a test) gets its collector back
            gc.enable()


def _main(args: list[str], argv: list[str] | None) -> int:
    if args[:1] == ["--version"]:  # a shell prompt or a packager asks this often: no database, no SQLAlchemy
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"refmail {version('refmail')}")
        except PackageNotFoundError:
            print("refmail unknown (not installed)")
        return 0
    from refmail.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
