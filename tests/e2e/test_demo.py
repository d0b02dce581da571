"""The README's first command: `refmail demo` tells the whole story on its own mail world."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def test_demo_runs_the_story_end_to_end(tmp_path):
    done = subprocess.run([sys.executable, "-m", "refmail", "demo"], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert 'draft d' in out and '(first_touch) to carol@example.net: "Alice Source suggested we connect"' in out
    assert "Carol received 1 message(s) from refmail" in out
    assert "(second_touch)" in out and "Re: Alice Source suggested we connect" in out
    assert "is now 'replied'" in out
    assert "keep_in_loop drafted for alice@example.org" in out
