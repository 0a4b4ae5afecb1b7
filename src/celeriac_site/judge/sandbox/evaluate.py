"""Judge a submission end to end (compile once, run every test), and run helper programs for generators."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from .checkers import FLOAT_TOLERANCE, Checker
from .errors import SandboxUnavailable
from .languages import get_language
from .limits import GENERATOR_LIMITS, Limits
from .outcome import CompileResult, RunOutcome
from .runner import Sandbox
from .verdicts import Evaluation, TestVerdict, Verdict, judge_run, overall_verdict

log = logging.getLogger(__name__)
_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide Sandbox (probed once, on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox()
        return _default


def evaluate(
    language: str,
    source: str,
    tests: Sequence[tuple[str, str]],
    *,
    limits: Limits,
    checker: Checker = Checker.WHITESPACE,
    sandbox: Sandbox | None = None,
    tolerance: float = FLOAT_TOLERANCE,
    stop_on_failure: bool = False,
) -> Evaluation:
    """Compile ``source`` once and run it on every ``(input, expected output)`` test.

    Never raises and never answers AC by accident: any exception becomes IE with its reason in
    ``compile_output``. ``stop_on_failure`` stops after the first non-AC test (the rest are not listed).
    """
    try:
        return _evaluate(
            language, source, tests, limits, checker, sandbox or default_sandbox(), tolerance, stop_on_failure
        )
    except SandboxUnavailable as exc:
        return Evaluation(Verdict.IE, compile_output=f"sandbox unavailable: {exc}", language=str(language))
    except Exception as exc:
        log.exception("sandbox evaluation failed for language %r", language)
        return Evaluation(
            Verdict.IE, compile_output=f"internal error: {type(exc).__name__}: {exc}", language=str(language)
        )


def _evaluate(
    language: str,
    source: str,
    tests: Sequence[tuple[str, str]],
    limits: Limits,
    checker: Checker,
    sandbox: Sandbox,
    tolerance: float,
    stop_on_failure: bool,
) -> Evaluation:
    lang = get_language(language)
    if not tests:
        return Evaluation(
            Verdict.IE, compile_output="no tests to run: nothing would prove the answer", language=lang.key
        )
    with sandbox.box(lang.key, limits) as box:
        compiled = box.compile(source)
        if compiled.internal_error is not None:
            return Evaluation(
                Verdict.IE, f"internal error while compiling: {compiled.internal_error}", language=lang.key
            )
        if not compiled.ok:
            return Evaluation(
                Verdict.CE, compiled.output, language=lang.key, compile_time_ms=compiled.time_ms
            )
        results: list[TestVerdict] = []
        for index, (stdin, expected) in enumerate(tests):
            outcome = box.run(stdin)
            result = judge_run(
                index,
                outcome,
                expected,
                time_limit_ms=limits.time_ms,
                memory_mb=limits.memory_mb,
                checker=checker,
                tolerance=tolerance,
                oom_markers=lang.oom_markers,
            )
            results.append(result)
            if stop_on_failure and result.verdict is not Verdict.AC:
                break
    return Evaluation(
        overall_verdict([r.verdict for r in results]),
        compiled.output,
        results,
        language=lang.key,
        compile_time_ms=compiled.time_ms,
    )


@dataclass(frozen=True)
class ProgramRun:
    """A helper program's run (test generator, reference solution): its verdict and raw outcome.

    ``verdict`` is AC when it compiled and exited 0 within the limits (no output check), else CE, IE,
    TLE, MLE, OLE or RE.
    """

    verdict: Verdict
    compile: CompileResult
    outcome: RunOutcome | None
    detail: str = ""

    @property
    def stdout(self) -> bytes:
        return self.outcome.stdout if self.outcome is not None else b""


def run_program(
    language: str,
    source: str,
    stdin: str | bytes = b"",
    *,
    limits: Limits = GENERATOR_LIMITS,
    sandbox: Sandbox | None = None,
) -> ProgramRun:
    """Compile and run one program once in the sandbox (for generators and reference solutions)."""
    empty = CompileResult(False)
    try:
        lang = get_language(language)
        with (sandbox or default_sandbox()).box(lang.key, limits) as box:
            compiled = box.compile(source)
            if compiled.internal_error is not None:
                return ProgramRun(Verdict.IE, compiled, None, compiled.internal_error)
            if not compiled.ok:
                return ProgramRun(Verdict.CE, compiled, None, compiled.output)
            outcome = box.run(stdin)
    except Exception as exc:
        if not isinstance(exc, SandboxUnavailable):
            log.exception("sandboxed helper run failed for language %r", language)
        return ProgramRun(Verdict.IE, empty, None, f"{type(exc).__name__}: {exc}")
    judged = judge_run(
        0,
        outcome,
        b"",
        time_limit_ms=limits.time_ms,
        memory_mb=limits.memory_mb,
        oom_markers=lang.oom_markers,
    )
    # The empty expected output makes the checker meaningless here: only resource and exit verdicts count.
    verdict = Verdict.AC if judged.verdict in (Verdict.AC, Verdict.WA) else judged.verdict
    return ProgramRun(verdict, compiled, outcome, judged.detail if verdict is not Verdict.AC else "")
