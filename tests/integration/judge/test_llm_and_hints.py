"""The real LLM client against a local OpenAI-protocol server; hints with LLM, garbage and fallback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.integration


@pytest.fixture
def fake_llm(monkeypatch: pytest.MonkeyPatch, django_ready: None) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    monkeypatch.setenv("JUDGE_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("JUDGE_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("JUDGE_LLM_MODEL", f"test-model-{uuid.uuid4().hex[:6]}")  # a fresh response cache
    yield fake
    fake.close()


def test_client_speaks_the_protocol_and_caches(fake_llm: FakeOpenAI) -> None:
    from celeriac_site.judge import llm

    client = llm.provider()
    assert client is not None
    fake_llm.answers.append("hello")
    messages = [{"role": "user", "content": f"hi {uuid.uuid4()}"}]
    assert client.chat(messages) == "hello"
    assert client.chat(messages) == "hello"  # served from the response cache
    assert len(fake_llm.requests) == 1
    assert fake_llm.requests[0]["auth"] == "Bearer sk-test"
    assert fake_llm.requests[0]["body"]["messages"] == messages


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (503, "LLMUnavailable"),
        (429, "LLMUnavailable"),
        (400, "LLMError"),
        (b"<html>oops", "LLMError"),
        (b'{"choices": []}', "LLMError"),
        ("   ", "LLMError"),
    ],
)
def test_client_classifies_failures(fake_llm: FakeOpenAI, answer: Any, error: str) -> None:
    from celeriac_site.judge import llm

    client = llm.provider()
    assert client is not None
    fake_llm.answers.append(answer)
    with pytest.raises(getattr(llm, error)):
        client.chat([{"role": "user", "content": f"x {uuid.uuid4()}"}])


def _failed_submission() -> Any:
    from celeriac_site.judge.models import Problem, SearchHistory

    problem = Problem.objects.create(platform="test", problem_id=uuid.uuid4().hex[:8], title="T")
    results = [{"index": 0, "verdict": "WA", "expected_excerpt": "3\n", "stdout_excerpt": "4\n"}]
    return SearchHistory.objects.create(
        problem=problem,
        code="print(4)",
        language="python",
        user_identifier="u",
        status="completed",
        verdict="WA",
        test_results=results,
        failed_count=1,
        total_count=1,
    )


def test_hints_from_the_llm_then_early_exit(fake_llm: FakeOpenAI) -> None:
    from celeriac.contrib.django.queries import count_queries
    from celeriac_site.judge.services.hinting import generate_hints

    history = _failed_submission()
    fake_llm.answers.append('Here you go: ["Check the sum.", "Read both numbers."]')
    with count_queries() as q:
        out = generate_hints(history.pk)
    assert out["hints"] == ["Check the sum.", "Read both numbers."] and out["source"].startswith("llm:")
    assert q.count <= 3
    with count_queries() as q:
        again = generate_hints(history.pk)
    assert again["cached"] is True and q.count == 1
    assert len(fake_llm.requests) == 1


def test_garbage_answer_falls_back_to_the_analyzer_and_says_so(fake_llm: FakeOpenAI) -> None:
    from celeriac_site.judge.services.hinting import generate_hints

    history = _failed_submission()
    fake_llm.answers.append("I cannot help with that.")
    out = generate_hints(history.pk)
    assert out["source"].startswith("rule-based:v1 (llm failed")
    assert "expected '3', got '4'" in " ".join(out["hints"])


def test_without_llm_the_analyzer_is_labelled(django_ready: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from celeriac_site.judge.models import SearchHistory
    from celeriac_site.judge.services.hinting import generate_hints

    monkeypatch.delenv("JUDGE_LLM_BASE_URL", raising=False)
    history = _failed_submission()
    out = generate_hints(history.pk)
    assert out["source"] == "rule-based:v1"
    assert SearchHistory.objects.get(pk=history.pk).hints_source == "rule-based:v1"
