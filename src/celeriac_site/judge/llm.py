"""LLM provider: an interface, and a real client for OpenAI-compatible chat-completions APIs."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from celeriac.contrib.django.caching import cached

#: How long an identical prompt is answered from the cache (seed 001: cut API cost with caching).
RESPONSE_CACHE_TTL_S = 24 * 3600


class LLMError(Exception):
    """The model answered, but not with something usable (garbage, refusal, wrong shape): not retried."""


class LLMUnavailable(ConnectionError):
    """The API could not be reached or answered 429/5xx: worth retrying after a backoff."""


class LLMProvider(Protocol):
    name: str

    def chat(self, messages: list[dict[str, str]]) -> str: ...


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    api_key: str
    model: str
    timeout_s: float = 60.0


def configured() -> LLMConfig | None:
    """From ``JUDGE_LLM_BASE_URL`` (e.g. ``https://api.openai.com/v1``), ``_API_KEY`` and ``_MODEL``."""
    base = os.environ.get("JUDGE_LLM_BASE_URL")
    if not base:
        return None
    return LLMConfig(
        base_url=base.rstrip("/"),
        api_key=os.environ.get("JUDGE_LLM_API_KEY", ""),
        model=os.environ.get("JUDGE_LLM_MODEL", "gpt-4o-mini"),
        timeout_s=float(os.environ.get("JUDGE_LLM_TIMEOUT_S", "60")),
    )


def _cache_key(model: str, messages: list[dict[str, str]]) -> str:
    blob = json.dumps([model, messages], sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


class OpenAICompatible:
    """POST ``{base_url}/chat/completions``; the same wire format serves OpenAI, Gemini's and vLLM's APIs."""

    def __init__(self, config: LLMConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.name = f"llm:{config.model}"
        self._client = httpx.Client(timeout=config.timeout_s, transport=transport)

    def chat(self, messages: list[dict[str, str]]) -> str:
        return _cached_chat(self, self.config.model, messages)

    def _request(self, messages: list[dict[str, str]]) -> str:
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        body = {"model": self.config.model, "messages": messages, "temperature": 0}
        try:
            resp = self._client.post(f"{self.config.base_url}/chat/completions", json=body, headers=headers)
        except httpx.TransportError as exc:
            raise LLMUnavailable(f"{self.config.base_url}: {exc}") from exc
        if resp.status_code == 429 or resp.status_code >= 500:
            raise LLMUnavailable(f"the LLM API answered {resp.status_code}")
        if resp.status_code >= 400:
            raise LLMError(f"the LLM API refused the request ({resp.status_code}): {resp.text[:200]}")
        try:
            data: Any = resp.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(f"the LLM API answered garbage: {resp.text[:200]!r}") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("the LLM API answered an empty message")
        return content


@cached(
    "judge:llm", ttl_s=RESPONSE_CACHE_TTL_S, key=lambda client, model, messages: _cache_key(model, messages)
)
def _cached_chat(client: OpenAICompatible, model: str, messages: list[dict[str, str]]) -> str:
    return client._request(messages)


def provider() -> OpenAICompatible | None:
    config = configured()
    return OpenAICompatible(config) if config else None


def code_block(text: str) -> str:
    """The first fenced code block of a model answer, or raise :class:`LLMError`."""
    import re

    m = re.search(r"```[a-zA-Z0-9_+-]*\n(.*?)```", text, re.S)
    if not m or not m.group(1).strip():
        raise LLMError("the LLM answer has no code block")
    return m.group(1)
