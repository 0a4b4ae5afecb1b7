"""Percentiles, latencies, throughput and the per-second series of a load run."""

from __future__ import annotations

import pytest

from celeriac.ops.events import TaskTrace
from celeriac.ops.load.accounting import Accounting, Sent, account
from celeriac.ops.load.stats import Latencies, Spread, percentile, series, throughput


def test_percentile_interpolates_like_numpy() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0


def test_percentile_is_order_independent_and_rejects_nonsense() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_spread_reports_milliseconds() -> None:
    spread = Spread.of([0.001, 0.002, 0.003, 0.004])
    assert spread is not None
    assert (spread.n, spread.p50_ms, spread.max_ms) == (4, 2.5, 4.0)
    assert Spread.of([]) is None


def _accounted() -> Accounting:
    sent = {"a": Sent("t.fast", 100.0), "b": Sent("t.fast", 100.5), "c": Sent("t.slow", 101.0)}
    traces = {
        "a": TaskTrace(id="a", started_at=[100.1], hosts=["w1"], succeeded_at=100.3),
        "b": TaskTrace(id="b", started_at=[100.7], hosts=["w1"], succeeded_at=100.8),
        "c": TaskTrace(id="c", started_at=[102.0], hosts=["w2"], failed_at=104.0),
    }
    return account(sent, traces)


def test_queue_wait_runs_from_send_to_first_start_and_run_time_to_success() -> None:
    acc = _accounted()
    lat = Latencies.of(acc)
    assert lat.queue_wait is not None and lat.run_time is not None
    assert lat.queue_wait.n == 3  # the failed task waited too
    assert lat.queue_wait.max_ms == pytest.approx(1000.0)
    assert lat.run_time.n == 2  # only successes have a run time
    assert lat.run_time.p50_ms == pytest.approx(150.0)
    only_slow = Latencies.of(acc, name="t.slow")
    assert only_slow.run_time is None and only_slow.queue_wait is not None


def test_throughput_counts_finished_tasks_over_first_send_to_last_finish() -> None:
    assert throughput(_accounted()) == pytest.approx(3 / 4.0)
    assert throughput(account({}, {})) == 0.0


def test_series_has_one_row_per_second_including_quiet_ones() -> None:
    rows = series(_accounted())
    assert [r["t_s"] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[0]["sent"] == 2 and rows[1]["sent"] == 1
    assert rows[0]["started"] == 2 and rows[0]["succeeded"] == 2
    assert rows[2]["started"] == 1 and rows[4]["failed"] == 1
    assert rows[3] == {"t_s": 3, "sent": 0, "started": 0, "succeeded": 0, "failed": 0, "wait_p95_ms": None}
    assert rows[2]["wait_p95_ms"] == pytest.approx(1000.0)
    assert series(account({}, {})) == []
