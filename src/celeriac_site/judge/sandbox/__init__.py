"""The judge's sandbox: bubblewrap + seccomp + rlimits + cgroups around compile-once, run-per-test judging."""

from .checkers import FLOAT_TOLERANCE
from .errors import ArtifactError, SandboxError, SandboxUnavailable, UnknownLanguage
from .evaluate import ProgramRun, default_sandbox, evaluate, run_program
from .languages import LANGUAGES, Language, get_language
from .limits import GENERATOR_LIMITS
from .runner import CompileResult, Limits, RunOutcome, Sandbox
from .verdicts import Checker, Evaluation, TestVerdict, Verdict, check_output, judge_run, overall_verdict

__all__ = [
    "FLOAT_TOLERANCE",
    "GENERATOR_LIMITS",
    "LANGUAGES",
    "ArtifactError",
    "Checker",
    "CompileResult",
    "Evaluation",
    "Language",
    "Limits",
    "ProgramRun",
    "RunOutcome",
    "Sandbox",
    "SandboxError",
    "SandboxUnavailable",
    "TestVerdict",
    "UnknownLanguage",
    "Verdict",
    "check_output",
    "default_sandbox",
    "evaluate",
    "get_language",
    "judge_run",
    "overall_verdict",
    "run_program",
]
