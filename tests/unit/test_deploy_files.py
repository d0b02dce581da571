"""The files for running refmail for real exist, agree with each other and with the CLI."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

import yaml

from refmail.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_the_license_is_mit_and_declared() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == {"text": "MIT"}


def test_the_systemd_unit_runs_real_commands() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "refmail.service")
    for key in ("ExecStartPre", "ExecStart"):
        argv = unit["Service"][key].split()
        assert argv[0].endswith("/refmail")
        build_parser().parse_args(argv[1:])  # a usage error would exit 2
    assert unit["Service"]["ExecStart"].endswith("refmail run") and unit["Install"]["WantedBy"]


def test_the_compose_file_builds_the_containerfile_next_to_postgresql() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    app, db = compose["services"]["refmail"], compose["services"]["db"]
    assert (ROOT / "deploy" / app["build"]["context"] / app["build"]["dockerfile"]).is_file()
    assert db["image"].split("/")[-1].startswith("postgres:")
    assert app["environment"]["REFMAIL_DATABASE_URL"].startswith("postgresql://")
    build_parser().parse_args(app["command"])
    containerfile = (ROOT / "deploy" / "Containerfile").read_text()
    assert 'ENTRYPOINT ["refmail"]' in containerfile and "[postgres,oauth2]" in containerfile  # PostgreSQL and Microsoft 365 or Gmail sign-in


def test_the_readme_links_every_docs_page() -> None:
    readme = (ROOT / "README.md").read_text()
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{page.name}" in readme, page.name
