"""Input checks shared by the API and the tasks: one message per problem, never a traceback."""

from __future__ import annotations

#: Submissions above this are refused (seed 003's executor took at most 1 MB).
MAX_CODE_BYTES = 1024 * 1024


class SubmissionError(ValueError):
    """A submission cannot be judged as sent; the message says why."""


def check_submission(code: str, language: str) -> None:
    from celeriac_site.judge.sandbox import LANGUAGES

    if language not in LANGUAGES:
        raise SubmissionError(f"unknown language {language!r}; use one of {', '.join(sorted(LANGUAGES))}")
    if not code.strip():
        raise SubmissionError("the code is empty")
    if len(code.encode("utf-8", "surrogatepass")) > MAX_CODE_BYTES:
        raise SubmissionError(f"the code is over {MAX_CODE_BYTES // 1024} KB")
