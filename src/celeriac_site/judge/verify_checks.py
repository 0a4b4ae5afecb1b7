"""Seed 000's functional checklist for the judge, automated for ``celeriac verify`` (ids J001-J026)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from celeriac.ops.verify.suite import Context, Outcome, Suite, bad, ok
from celeriac_site.judge.problemset.submissions import APLUSB

SOURCE = "seed 000 · Post-Deployment Verification · Functional Testing"
AC, WA = APLUSB[("python", "AC")], APLUSB[("python", "WA")]


def _aplusb() -> Any:
    from celeriac_site.judge.problemset.load import load

    return next(p for p in load() if p.problem_id == "aplusb")


def _queries(fn: Callable[[], Any]) -> tuple[Any, int]:
    from celeriac.contrib.django.queries import count_queries

    with count_queries() as counted:
        out = fn()
    return out, counted.count


def _execute(ctx: Context) -> dict[str, Any]:
    """As in seed 000's shell: ``execute_code_task.delay(code, 'python', problem.id, None, email, False)``."""
    from celeriac_site.judge.models import Problem, SearchHistory

    problem = _aplusb()
    before = Problem.objects.values_list("submission_count", flat=True).get(pk=problem.pk)
    task = ctx.app.tasks["judge.execute_code_task"]
    ac = task.apply_async((AC, "python", problem.pk, None, "verify@celeriac", False))
    wa = task.apply_async((WA, "python", problem.pk, None, "verify@celeriac", False))
    out = {"ac": ac.get(timeout=ctx.timeout_s), "wa": wa.get(timeout=ctx.timeout_s)}
    out["rows"] = {h.task_id: h for h in SearchHistory.objects.filter(task_id__in=[ac.id, wa.id])}
    out["ids"] = (ac.id, wa.id)
    out["count_delta"] = (
        Problem.objects.values_list("submission_count", flat=True).get(pk=problem.pk) - before
    )
    return out


def register(suite: Suite) -> None:
    def check(id_: str, title: str) -> Callable[[Callable[[Context], Outcome]], Callable[[Context], Outcome]]:
        return suite.check(id_, title, source=SOURCE)

    @check("J001", "1. execute_code_task: Task completes successfully")
    def j001(ctx: Context) -> Outcome:
        out = ctx.once("judge.execute", lambda: _execute(ctx))
        return ok("completed") if out["ac"]["status"] == "completed" else bad(f"status {out['ac']['status']}")

    @check("J002", "1. execute_code_task: Results are saved to SearchHistory")
    def j002(ctx: Context) -> Outcome:
        out = ctx.once("judge.execute", lambda: _execute(ctx))
        rows = out["rows"]
        if set(rows) != set(out["ids"]):
            return bad(f"{len(rows)} of 2 submissions have a SearchHistory row")
        return ok("both submissions have their row, keyed by task id, with per-test results")

    @check("J003", "1. execute_code_task: Problem metadata is updated")
    def j003(ctx: Context) -> Outcome:
        out = ctx.once("judge.execute", lambda: _execute(ctx))
        delta = out["count_delta"]
        return (
            ok("submission_count +2")
            if delta >= 2
            else bad(f"submission_count moved by {delta}, expected +2")
        )

    @check("J004", "1. execute_code_task: Test results are correct")
    def j004(ctx: Context) -> Outcome:
        out = ctx.once("judge.execute", lambda: _execute(ctx))
        got = (out["ac"]["verdict"], out["wa"]["verdict"])
        if got != ("AC", "WA"):
            return bad(f"a right and a wrong A+B were judged {got}, expected ('AC', 'WA')")
        return ok(f"right answer AC on {out['ac']['total']} tests, wrong answer WA")

    @check("J005", "1. execute_code_task: Database queries < 5")
    def j005(ctx: Context) -> Outcome:
        from celeriac_site.judge.services import execution

        problem = _aplusb()
        out, n = _queries(
            lambda: execution.execute(AC, "python", problem.pk, None, "v", False, uuid.uuid4().hex)
        )
        return ok(f"{n} queries (direct call)") if n < 5 and out["verdict"] == "AC" else bad(f"{n} queries")

    def _job(ctx: Context, cases: int) -> tuple[dict[str, Any], Any]:
        from celeriac_site.judge.models import ScriptGenerationJob

        job = ScriptGenerationJob.objects.create(
            platform="verify",
            problem_id=uuid.uuid4().hex[:8],
            title="A+B",
            constraints="1 ≤ A, B ≤ 10",
            input_spec={"vars": {"A": {"int": None}, "B": {"int": None}}, "lines": [["A", "B"]]},
            num_cases=cases,
        )
        task = ctx.app.tasks["judge.generate_script_task"]
        sends = [task.apply_async((job.pk,)) for _ in range(3)]  # the same job sent three times
        results = [r.get(timeout=ctx.timeout_s) for r in sends]
        job.refresh_from_db()
        return {"results": results}, job

    @check("J006", "2. generate_script_task: Task completes successfully")
    def j006(ctx: Context) -> Outcome:
        _, job = ctx.once("judge.job", lambda: _job(ctx, 8))
        return ok("completed") if job.status == "completed" else bad(f"job {job.status}: {job.error}")

    @check("J007", "2. generate_script_task: Generator code is created")
    def j007(ctx: Context) -> Outcome:
        _, job = ctx.once("judge.job", lambda: _job(ctx, 8))
        if "random.Random" not in job.generator_code:
            return bad("no generator code stored")
        return ok(f"{len(job.generator_code)} characters from {job.generator_source}")

    @check("J008", "2. generate_script_task: Test cases are created with bulk_create")
    def j008(ctx: Context) -> Outcome:
        from celeriac_site.judge.models import ScriptGenerationJob
        from celeriac_site.judge.services.generation import generate_script

        counts = []
        for cases in (5, 60):
            job = ScriptGenerationJob.objects.create(
                platform="verify",
                problem_id=uuid.uuid4().hex[:8],
                title="t",
                input_spec={"vars": {"n": {"int": [1, 9]}}, "lines": [["n"]]},
                num_cases=cases,
            )
            counts.append(_queries(lambda job=job: generate_script(job.pk))[1])
        if counts[0] != counts[1]:
            return bad(f"queries grow with the number of cases: {counts[0]} for 5, {counts[1]} for 60")
        return ok(f"{counts[0]} queries for 5 cases and for 60: one INSERT per batch")

    @check("J009", "2. generate_script_task: No duplicate processing occurs")
    def j009(ctx: Context) -> Outcome:
        from celeriac_site.judge.models import TestCase

        _, job = ctx.once("judge.job", lambda: _job(ctx, 8))
        n = TestCase.objects.filter(problem__platform="verify", problem__problem_id=job.problem_id).count()
        return (
            ok("3 sends of one job made 8 cases")
            if n == 8
            else bad(f"3 sends of one job made {n} cases, not 8")
        )

    @check("J010", "2. generate_script_task: Database queries < 5")
    def j010(ctx: Context) -> Outcome:
        from celeriac_site.judge.models import Problem, ScriptGenerationJob
        from celeriac_site.judge.services.generation import generate_script

        pid = uuid.uuid4().hex[:8]
        target = Problem.objects.create(platform="verify", problem_id=pid, title="t")
        job = ScriptGenerationJob.objects.create(
            platform="verify",
            problem_id=pid,
            title="t",
            target=target,
            num_cases=10,
            input_spec={"vars": {"n": {"int": [1, 9]}}, "lines": [["n"]]},
        )
        _, n = _queries(lambda: generate_script(job.pk))
        return ok(f"{n} queries (job created through the API)") if n < 5 else bad(f"{n} queries")

    def _outputs(ctx: Context) -> tuple[dict[str, Any], Any]:
        from celeriac_site.judge.models import Problem, TestCase
        from celeriac_site.judge.problemset.problems import PROBLEMS

        spec = next(p for p in PROBLEMS if p.problem_id == "gcd")
        copy = Problem.objects.create(
            platform="verify",
            problem_id=uuid.uuid4().hex[:8],
            title=spec.title,
            reference_language="python",
            reference_solution=spec.reference,
        )
        TestCase.objects.bulk_create(
            TestCase(problem=copy, position=i, input=t) for i, (t, _) in enumerate(spec.tests)
        )
        out = ctx.call("judge.generate_outputs_task", "verify", copy.problem_id)
        got = list(
            TestCase.objects.filter(problem=copy)
            .order_by("position")
            .values_list("expected_output", flat=True)
        )
        return out, ([g.split() for g in got], [e.split() for _, e in spec.tests])

    @check("J011", "3. generate_outputs_task: Task completes successfully")
    def j011(ctx: Context) -> Outcome:
        out, _ = ctx.once("judge.outputs", lambda: _outputs(ctx))
        return ok(str(out)) if out.get("ok") else bad(str(out))

    @check("J012", "3. generate_outputs_task: Outputs are generated")
    def j012(ctx: Context) -> Outcome:
        _, (got, want) = ctx.once("judge.outputs", lambda: _outputs(ctx))
        return (
            ok(f"{len(got)} outputs equal the hand-worked ones") if got == want else bad(f"{got} != {want}")
        )

    @check("J013", "3. generate_outputs_task: Bulk update is used")
    def j013(ctx: Context) -> Outcome:
        from celeriac_site.judge.services.generation import generate_outputs

        _aplusb()
        _, small = _queries(lambda: generate_outputs("local", "gcd"))
        _, large = _queries(lambda: generate_outputs("local", "primes"))
        if small != large:
            return bad(f"queries depend on the number of tests: {small} vs {large}")
        return ok(f"{small} queries whatever the number of tests: one UPDATE per batch")

    @check("J014", "3. generate_outputs_task: Database queries < 5")
    def j014(ctx: Context) -> Outcome:
        from celeriac_site.judge.services.generation import generate_outputs

        _aplusb()
        _, n = _queries(lambda: generate_outputs("local", "aplusb"))
        return ok(f"{n} queries") if n < 5 else bad(f"{n} queries")

    def _hints(ctx: Context) -> dict[str, Any]:
        from celeriac_site.judge.examples import hints_setup

        history_id = hints_setup()["history_id"]
        first = ctx.call("judge.generate_hints_task", history_id)
        second = ctx.call("judge.generate_hints_task", history_id)
        return {"id": history_id, "first": first, "second": second}

    @check("J015", "4. generate_hints_task: Task completes successfully")
    def j015(ctx: Context) -> Outcome:
        out = ctx.once("judge.hints", lambda: _hints(ctx))
        return (
            ok(f"hints from {out['first']['source']}")
            if out["first"].get("hints")
            else bad(str(out["first"]))
        )

    @check("J016", "4. generate_hints_task: Hints are generated and saved")
    def j016(ctx: Context) -> Outcome:
        from celeriac_site.judge.models import SearchHistory

        out = ctx.once("judge.hints", lambda: _hints(ctx))
        saved = SearchHistory.objects.values_list("hints", flat=True).get(pk=out["id"])
        return ok(f"{len(saved)} hints saved") if saved == out["first"]["hints"] else bad("hints not saved")

    @check("J017", "4. generate_hints_task: No duplicate hint generation")
    def j017(ctx: Context) -> Outcome:
        out = ctx.once("judge.hints", lambda: _hints(ctx))
        first, second = out["first"], out["second"]
        # Either the idempotency key answered with the first run's result, or the task's early exit did.
        if second.get("hints") != first.get("hints") or not (second.get("cached") or second == first):
            return bad(f"the second call generated again: {second}")
        how = (
            "early exit on saved hints"
            if second.get("cached")
            else "the first run's result (idempotency key)"
        )
        return ok(f"the second call returned {how}")

    @check("J018", "4. generate_hints_task: Database queries = 1")
    def j018(ctx: Context) -> Outcome:
        from celeriac_site.judge.services.hinting import generate_hints

        out = ctx.once("judge.hints", lambda: _hints(ctx))
        _, n = _queries(lambda: generate_hints(out["id"]))
        return (
            ok("1 query when hints exist (2 the first time: read and save)")
            if n == 1
            else bad(f"{n} queries")
        )

    def _extract(ctx: Context) -> dict[str, Any]:
        from celeriac_site.judge.services.extract_pages import serve_sample_pages

        with serve_sample_pages() as base:
            url = f"{base}/problem/1000?verify={uuid.uuid4().hex}"
            t0 = time.perf_counter()
            first = ctx.call("judge.extract_problem_info_task", url)
            t1 = time.perf_counter()
            second = ctx.call("judge.extract_problem_info_task", url)
            t2 = time.perf_counter()
        return {"first": first, "second": second, "first_s": t1 - t0, "second_s": t2 - t1, "url": url}

    @check("J019", "5. extract_problem_info_task: Task completes successfully")
    def j019(ctx: Context) -> Outcome:
        out = ctx.once("judge.extract", lambda: _extract(ctx))
        return ok("ok") if out["first"].get("ok") else bad(str(out["first"]))

    @check("J020", "5. extract_problem_info_task: Problem info is extracted")
    def j020(ctx: Context) -> Outcome:
        first = ctx.once("judge.extract", lambda: _extract(ctx))["first"]
        got = (
            first.get("title"),
            first.get("time_limit_ms"),
            first.get("memory_limit_mb"),
            len(first.get("samples", [])),
        )
        return ok(f"title, limits and samples: {got}") if got == ("A+B", 2000, 128, 1) else bad(str(got))

    @check("J021", "5. extract_problem_info_task: Result is cached")
    def j021(ctx: Context) -> Outcome:
        from django.core.cache import cache

        url = ctx.once("judge.extract", lambda: _extract(ctx))["url"]
        ttl = cache.ttl(f"judge:extract:{url}")
        return ok(f"cached, {ttl} s left of 3600") if ttl and 0 < ttl <= 3600 else bad(f"cache TTL {ttl}")

    @check("J022", "5. extract_problem_info_task: Second call uses cache (faster)")
    def j022(ctx: Context) -> Outcome:
        from celeriac.contrib.django.caching import stats

        out = ctx.once("judge.extract", lambda: _extract(ctx))
        hits = stats().get("judge:extract", {}).get("hit", 0)
        same = {k: v for k, v in out["first"].items() if k != "created"} == {
            k: v for k, v in out["second"].items() if k != "created"
        }
        if not hits or not same:
            return bad(f"no cache hit recorded ({hits}) or a different answer")
        return ok(f"served from cache: {out['first_s']:.3f}s then {out['second_s']:.3f}s")

    def _warm(ctx: Context) -> dict[str, Any]:
        _aplusb()
        return {
            "problems": ctx.call("judge.warm_problem_cache_task"),
            "users": ctx.call("judge.warm_user_stats_cache_task"),
        }

    @check("J023", "6. Cache Warming Tasks: Problem cache is populated")
    def j023(ctx: Context) -> Outcome:
        from django.core.cache import cache

        from celeriac_site.judge.services.caches import PROBLEM_LIST_KEY

        out = ctx.once("judge.warm", lambda: _warm(ctx))
        cached = cache.get(PROBLEM_LIST_KEY) or []
        return (
            ok(f"{len(cached)} problems cached")
            if cached and out["problems"] >= 1
            else bad("problem list empty")
        )

    @check("J024", "6. Cache Warming Tasks: User stats cache is populated")
    def j024(ctx: Context) -> Outcome:
        from django.core.cache import cache

        from celeriac_site.judge.services.caches import USER_STATS_KEY

        ctx.once("judge.execute", lambda: _execute(ctx))  # there is at least one user with submissions
        out = ctx.once("judge.warm", lambda: _warm(ctx))
        stats = cache.get(USER_STATS_KEY.format(user="verify@celeriac"))
        return (
            ok(f"{out['users']} users; verify@celeriac: {stats}")
            if stats
            else bad("no stats for verify@celeriac")
        )

    @check("J025", "6. Cache Warming Tasks: Cache entries exist in Redis")
    def j025(ctx: Context) -> Outcome:
        from django.core.cache import cache

        ctx.once("judge.warm", lambda: _warm(ctx))
        keys = list(cache.iter_keys("problem:*"))
        return ok(f"{len(keys)} problem:* keys (SCAN)") if keys else bad("no problem:* keys")

    @check("J026", "6. Cache Warming Tasks: Cache TTL is correct")
    def j026(ctx: Context) -> Outcome:
        from django.core.cache import cache

        from celeriac_site.judge.services.caches import PROBLEM_LIST_KEY, PROBLEM_TTL_S

        ctx.once("judge.warm", lambda: _warm(ctx))
        ttl = cache.ttl(PROBLEM_LIST_KEY)
        return ok(f"{ttl} s of {PROBLEM_TTL_S}") if ttl and 0 < ttl <= PROBLEM_TTL_S else bad(f"TTL {ttl}")
