"""Each end-to-end test gets a fresh cast on the session's mail world."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Cast


@pytest.fixture
def cast(mail_world, tmp_path):  # type: ignore[no-untyped-def]
    return Cast.new(mail_world, tmp_path)
