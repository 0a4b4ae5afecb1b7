"""Produce hints for a submission: early exit when they exist; LLM when configured; else the analyzer."""

from __future__ import annotations

import json
from typing import Any

from celeriac_site.judge import llm
from celeriac_site.judge.models import SearchHistory
from celeriac_site.judge.services.hints import RULE_BASED_SOURCE, analyze

PROMPT = (
    "You are a programming tutor. A student's submission failed. Give at most three short hints as a JSON "
    "list of strings; do not give the full solution.\nProblem: {title}\nLanguage: {language}\n"
    "Verdict: {verdict}\nFirst failing test: {failing}\nCode:\n{code}"
)


def generate_hints(history_id: int) -> dict[str, Any]:
    """At most 2 queries: the submission with its problem's title, and the update."""
    history = (
        SearchHistory.objects.select_related("problem")
        .only(
            "id",
            "hints",
            "hints_source",
            "code",
            "language",
            "verdict",
            "test_results",
            "compile_output",
            "problem__title",
        )
        .get(pk=history_id)
    )
    if history.hints:
        return {"hints": history.hints, "source": history.hints_source, "cached": True}
    hints, source = None, RULE_BASED_SOURCE
    provider = llm.provider()
    if provider is not None:
        try:
            hints, source = _from_llm(provider, history), provider.name
        except llm.LLMError as exc:  # garbage: fall back, and say why in the recorded source
            source = f"{RULE_BASED_SOURCE} (llm failed: {str(exc)[:120]})"
    if hints is None:
        hints = analyze(history.test_results or [], history.compile_output)
    SearchHistory.objects.filter(pk=history.pk).update(hints=hints, hints_source=source[:64])
    return {"hints": hints, "source": source, "cached": False}


def _from_llm(provider: llm.OpenAICompatible, history: SearchHistory) -> list[str]:
    failing = next((t for t in (history.test_results or []) if t.get("verdict") != "AC"), None)
    prompt = PROMPT.format(
        title=history.problem.title,
        language=history.language,
        verdict=history.verdict,
        failing=json.dumps(failing)[:2000],
        code=history.code[:8000],
    )
    answer = provider.chat([{"role": "user", "content": prompt}])
    start, end = answer.find("["), answer.rfind("]")
    try:
        hints = json.loads(answer[start : end + 1]) if start >= 0 and end > start else None
    except json.JSONDecodeError:
        hints = None
    if not isinstance(hints, list) or not hints or not all(isinstance(h, str) for h in hints):
        raise llm.LLMError(f"expected a JSON list of hint strings, got {answer[:120]!r}")
    return [h[:500] for h in hints[:3]]
