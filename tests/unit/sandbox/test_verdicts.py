"""Pure verdict logic: one run's facts to a test verdict, tests to the overall verdict, excerpts, limits."""

from __future__ import annotations

import json
import signal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from celeriac_site.judge.sandbox import (
    LANGUAGES,
    Checker,
    Evaluation,
    Limits,
    RunOutcome,
    UnknownLanguage,
    Verdict,
    get_language,
    judge_run,
    overall_verdict,
)
from celeriac_site.judge.sandbox.verdicts import excerpt

V = Verdict


def run(**kw: object) -> RunOutcome:
    base: dict[str, object] = {
        "returncode": 0,
        "time_ms": 10.0,
        "wall_ms": 12.0,
        "memory_kb": 2048,
        "stdout": b"42\n",
    }
    base.update(kw)
    return RunOutcome(**base)  # type: ignore[arg-type]


def judge(out: RunOutcome, expected: str = "42", **kw: object) -> Verdict:
    options: dict[str, object] = {"time_limit_ms": 1000, "memory_mb": 64}
    options.update(kw)
    return judge_run(0, out, expected, **options).verdict  # type: ignore[arg-type]


def test_accepted_and_wrong_answer() -> None:
    assert judge(run()) is V.AC
    assert judge(run(stdout=b"41\n")) is V.WA
    assert judge(run(stdout=b"42"), "42\n", checker=Checker.EXACT) is V.WA


def test_setup_failure_is_ie_never_re() -> None:
    assert judge(run(returncode=None, setup_error="bwrap: Can't mount proc")) is V.IE
    # IE wins even over facts that would otherwise be a limit verdict.
    assert judge(run(returncode=None, setup_error="x", timed_out=True, oom_killed=True)) is V.IE


def test_limit_verdicts() -> None:
    assert judge(run(returncode=-9, oom_killed=True)) is V.MLE
    assert judge(run(returncode=-9, output_exceeded="stdout")) is V.OLE
    assert judge(run(returncode=-signal.SIGXFSZ)) is V.OLE
    assert judge(run(returncode=-9, timed_out=True)) is V.TLE
    assert judge(run(returncode=-signal.SIGXCPU, time_ms=990.0)) is V.TLE
    assert judge(run(time_ms=1001.0)) is V.TLE  # finished correctly, but too slowly
    assert judge(run(returncode=None, static_memory_exceeded=True)) is V.MLE


def test_out_of_time_at_the_memory_limit_is_mle() -> None:
    # Thrashing at the cgroup limit looks like slowness; the cause is memory.
    assert judge(run(returncode=-9, timed_out=True, memory_limit_hit=True)) is V.MLE
    assert judge(run(returncode=-signal.SIGXCPU, memory_limit_hit=True)) is V.MLE
    assert judge(run(memory_limit_hit=True)) is V.AC  # reclaim alone, finished in time: fine
    # A managed runtime collecting garbage just under its heap cap never trips the cgroup: a timeout
    # with the peak within 10 % of the limit (64 MiB here) is memory too; far below it, it is time.
    assert judge(run(returncode=-9, timed_out=True, memory_kb=60 * 1024)) is V.MLE
    assert judge(run(returncode=-9, timed_out=True, memory_kb=40 * 1024)) is V.TLE


def test_oom_wins_over_timeout_and_output() -> None:
    assert judge(run(returncode=-9, oom_killed=True, timed_out=True, output_exceeded="stdout")) is V.MLE


def test_memory_markers_only_count_on_failure() -> None:
    markers = (b"MemoryError",)
    assert judge(run(returncode=1, stderr=b"...\nMemoryError\n"), oom_markers=markers) is V.MLE
    assert judge(run(returncode=0, stderr=b"MemoryError"), oom_markers=markers) is V.AC
    jvm = (b"java.lang.OutOfMemoryError",)
    stdout = b"Terminating due to java.lang.OutOfMemoryError: Java heap space\n"
    assert judge(run(returncode=3, stdout=stdout), oom_markers=jvm) is V.MLE


def test_rlimit_crash_near_the_limit_is_mle_only_without_a_cgroup() -> None:
    near = 60 * 1024
    assert judge(run(returncode=-11, memory_kb=near, memory_bound="rlimit")) is V.MLE
    assert judge(run(returncode=-11, memory_kb=near, memory_bound="cgroup")) is V.RE
    assert judge(run(returncode=-11, memory_kb=1024, memory_bound="rlimit")) is V.RE


def test_runtime_errors() -> None:
    assert judge(run(returncode=1)) is V.RE
    assert judge(run(returncode=-signal.SIGSEGV)) is V.RE
    detail = judge_run(0, run(returncode=-signal.SIGSEGV), "42", time_limit_ms=1000, memory_mb=64).detail
    assert "SIGSEGV" in detail


def test_overall_verdict_order() -> None:
    assert overall_verdict([V.AC, V.AC]) is V.AC
    assert overall_verdict([V.AC, V.TLE, V.WA]) is V.TLE  # first non-AC in test order
    assert overall_verdict([V.WA, V.IE]) is V.IE  # any internal doubt
    assert overall_verdict([]) is V.IE  # nothing proven
    assert overall_verdict([V.AC], compiled=False) is V.CE


@given(st.lists(st.sampled_from(list(Verdict)), min_size=1, max_size=8))
def test_overall_is_never_ac_unless_every_test_is(verdicts: list[Verdict]) -> None:
    overall = overall_verdict(verdicts)
    assert (overall is V.AC) == all(v is V.AC for v in verdicts)


@given(st.binary(max_size=3000))
def test_excerpt_is_short_valid_utf8_without_nul(data: bytes) -> None:
    text = excerpt(data)
    encoded = text.encode("utf-8")  # would raise on lone surrogates
    assert len(encoded) <= 1024
    assert "\x00" not in text


def test_excerpt_keeps_short_text() -> None:
    assert excerpt(b"hello\n") == "hello\n"
    assert excerpt("é" * 600).encode() == ("é" * 512).encode()


def test_evaluation_counts_and_json() -> None:
    tests = [
        judge_run(0, run(), "42", time_limit_ms=1000, memory_mb=64),
        judge_run(1, run(stdout=b"\xff\x00junk"), "42", time_limit_ms=1000, memory_mb=64),
    ]
    ev = Evaluation(overall_verdict([t.verdict for t in tests]), "", tests, language="c")
    assert ev.verdict is V.WA and ev.passed == 1 and ev.failed == 1
    data = json.loads(json.dumps(ev.to_dict()))
    assert data["verdict"] == "WA"
    assert data["tests"][1]["stdout_excerpt"] == "\ufffd\ufffdjunk"
    assert set(data["tests"][0]) >= {
        "index",
        "verdict",
        "time_ms",
        "memory_kb",
        "exit_code",
        "stdout_excerpt",
        "expected_excerpt",
        "stderr_excerpt",
    }


def test_limits_validate_and_derive() -> None:
    limits = Limits(time_ms=1500)
    assert limits.wall_ms == 3500
    assert limits.cpu_rlimit_s == 3  # 1.5 x 1500 ms, rounded up: a backstop above the budget
    assert Limits(time_ms=1500, wall_time_ms=2000).wall_ms == 2000
    with pytest.raises(ValueError, match="memory_mb"):
        Limits(memory_mb=0)
    with pytest.raises(ValueError, match="time_ms"):
        Limits(time_ms=True)
    with pytest.raises(ValueError, match="below 16"):
        Limits(memory_mb=8)


def test_languages() -> None:
    assert set(LANGUAGES) == {"python", "c", "cpp", "java", "javascript"}
    assert get_language("cpp").source_name == "main.cpp"
    with pytest.raises(UnknownLanguage, match="known: c, cpp, java, javascript, python") as info:
        get_language("cobol")
    assert isinstance(info.value, ValueError)
    # Only the runtimes RLIMIT_AS breaks depend on a cgroup.
    assert {k for k, lang in LANGUAGES.items() if lang.needs_cgroup} == {"java", "javascript"}
