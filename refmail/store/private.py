"""Private by default: refmail's data folder is 0700, its database (which holds the approval secret) 0600."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
# SQLite's companions of the database file: they hold the same rows (and so the secret).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Create `path` 0700, or tighten an existing one that others could read, with a warning."""
    path = path.expanduser()
    if not path.exists():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        path.chmod(DIR_MODE)  # parents=True creates the missing parents with the umask: not this one
        return
    _tighten(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Create `path` empty and 0600 before anything writes to it (whatever the umask), or tighten it."""
    path = path.expanduser()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _tighten(path, FILE_MODE)
        return
    os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Replace `path` atomically with `text`, 0600 from its first byte (whatever the umask)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, FILE_MODE)  # an old .tmp left by a crash keeps its mode through O_CREAT: set it
    os.replace(tmp, path)


def private_sqlite(database: Path) -> None:
    """The SQLite database and its WAL/SHM/journal files: 0600 (SQLite gives new companions the database's mode)."""
    database = database.expanduser()
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            _tighten(companion, FILE_MODE)


def _tighten(path: Path, wanted: int) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077 == 0:
        return
    try:
        path.chmod(mode & ~0o077 | (wanted & 0o700))
    except PermissionError:
        log.warning("%s is readable by other users (mode %04o) and refmail may not change it: run chmod %04o %s",
                    path, mode, wanted, path)
        return
    log.warning("%s was open to other users (mode %04o); tightened to %04o", path, mode, mode & ~0o077 | (wanted & 0o700))
