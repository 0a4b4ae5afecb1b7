"""The snapshot taken from real Celery apps (no services needed), and the rule ids doctor reports on them."""

from __future__ import annotations

import celery
import pytest

import celeriac
from celeriac.ops import appload
from celeriac.ops.doctor import RULES, snapshot
from celeriac.ops.doctor.collect import resolve_queue
from celeriac.ops.report import Report, Status
from celeriac.workloads import Declarations, declare


def fired(app: celery.Celery) -> set[str]:
    snap = snapshot(app)
    return {f.id for f in (r.run(snap) for r in RULES) if f.status in (Status.FAIL, Status.WARN)}


def test_examx_like_reproduces_seed_004() -> None:
    from tests.fixtures.examx_like import app

    snap = snapshot(app)
    assert len(snap.tasks) == 25
    assert sum(t.queue == "default" for t in snap.tasks.values()) == 21
    assert snap.tasks["bulk_upload_questions_task"].queue == "bulk_upload"
    assert snap.tasks["save_question_index"].queue == "question_enrichment"
    assert "worker_pool" in snap.user_keys
    (worker,) = snap.groups
    assert (worker.pool, worker.concurrency, worker.prefetch_multiplier) == ("prefork", 8, 1)
    assert {"C001", "C061", "C013"} <= fired(app)


def test_stock_celery_gets_no_pool_error() -> None:
    from tests.fixtures.stock import app

    snap = snapshot(app)
    assert "worker_pool" not in snap.user_keys  # Celery's own default is not the project's setting
    found = fired(app)
    assert "C001" not in found and "C002" not in found
    assert {"C013", "C030", "C090"} <= found


@pytest.mark.parametrize("pool", ["gevent", "prefork"])
def test_celeriac_neutralised_pool_is_still_an_error(pool: str) -> None:
    app = celery.Celery("neutral", set_as_current=False)
    app.conf.update(broker_url="redis://127.0.0.1:1/0", worker_pool=pool)
    celeriac.configure(app, Declarations(declare("n.fetch", kind="io")))
    app.loader.import_default_modules()
    snap = snapshot(app)
    c001 = next(r for r in RULES if r.id == "C001").run(snap)
    assert c001.status is Status.FAIL and "Celeriac reset it" in c001.message
    assert snap.conf["worker_pool"] == "prefork"


# The deprecated task attribute is the point of this test.
@pytest.mark.filterwarnings("ignore::celery.exceptions.CDeprecationWarning")
def test_routes_win_over_the_task_queue_and_globs_work() -> None:
    app = celery.Celery("routes", set_as_current=False)
    app.conf.task_routes = {"r.fast.*": {"queue": "fast"}, "r.named": "named"}

    @app.task(name="r.fast.one", queue="ignored", shared=False)
    def one() -> None: ...

    @app.task(name="r.named", shared=False)
    def named() -> None: ...

    @app.task(name="r.own", queue="own", shared=False)
    def own() -> None: ...

    @app.task(name="r.plain", shared=False)
    def plain() -> None: ...

    assert resolve_queue(app, "r.fast.one") == "fast"
    assert resolve_queue(app, "r.named") == "named"
    assert resolve_queue(app, "r.own") == "own"
    assert resolve_queue(app, "r.plain") == "celery"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("no_such_module_xyz", "cannot load the Celery app 'no_such_module_xyz'"),
        ("tests.fixtures.stock:nothing", "cannot load the Celery app"),
        ("tests.fixtures.stock:add", "not a Celery app"),
        ("tests.fixtures.broken_app:app", "failed to import: RuntimeError: broken on purpose"),
    ],
)
def test_bad_app_specs_become_one_failed_finding(spec: str, words: str) -> None:
    report = Report("doctor", spec)
    assert appload.load_for_report(spec, report) is None
    (finding,) = report.findings
    assert finding.id == "A001" and finding.failed
    assert words in finding.message
    assert "Traceback" not in finding.message
    assert report.exit_code == 1
