"""The issue-9 benchmarks run end to end with tiny sizes on the real servers (figures are printed, never asserted)."""

from __future__ import annotations

import pytest

from benchmarks import push_latency, simulate, workers

pytestmark = pytest.mark.e2e


def test_push_latency_measures_an_intro_through_the_real_daemon(capsys) -> None:  # type: ignore[no-untyped-def]
    assert push_latency.main(["--intros", "1"]) == 0
    assert "ratio daemon / IDLE floor" in capsys.readouterr().out


def test_workers_run_the_cycle_on_a_throw_away_postgresql(capsys) -> None:  # type: ignore[no-untyped-def]
    assert workers.main(["--referrals", "2", "--workers", "2"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.split()[:1] == ["2"]]
    work = {" ".join(r[1:3]): (int(r[3]), int(r[4]), int(r[5])) for r in rows}  # cycle: due, sent, twice
    assert sorted(work) == ["Mon, sends", "Thu, due"]
    assert work["Mon, sends"][1] > 0 and work["Thu, due"][0] > 0  # each cycle measured real work
    assert all(twice == 0 for _, _, twice in work.values())  # two workers never send one mail twice


def test_simulate_times_without_tracemalloc_unless_asked(capsys) -> None:  # type: ignore[no-untyped-def]
    simulate.main(["--referrals", "5", "--days", "2"])
    assert "not traced; run with --memory" in capsys.readouterr().out
    simulate.main(["--referrals", "5", "--days", "2", "--memory"])
    assert "peak memory (tracemalloc, Python heap)" in capsys.readouterr().out
