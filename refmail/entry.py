"""The `refmail` command's entry point: answers `--version` before importing anything heavy."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
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
