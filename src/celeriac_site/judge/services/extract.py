"""Problem pages of Baekjoon (acmicpc.net) and Codeforces parsed into title, limits, statement, samples."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag


class ExtractError(ValueError):
    """The page is not a problem page Celeriac understands; the message says what was missing."""


@dataclass
class ProblemInfo:
    platform: str
    problem_id: str
    title: str
    time_limit_ms: int
    memory_limit_mb: int
    statement: str
    input_spec: str
    output_spec: str
    samples: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(node: Tag | None) -> str:
    return node.get_text("\n", strip=True) if node is not None else ""


def _number(text: str, what: str) -> float:
    m = re.search(r"(\d+(?:\.\d+)?)", text)
    if not m:
        raise ExtractError(f"no {what} on the page")
    return float(m.group(1))


def problem_id_from_url(url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    m = re.search(r"/problem/(?:(\d+)/([A-Z]\d?)|(\d+))$", path) or re.search(r"/(\d+)/([A-Z]\d?)$", path)
    if not m:
        raise ExtractError(f"cannot find a problem id in {url}")
    return "".join(g for g in m.groups() if g)


def parse_baekjoon(html: str, url: str) -> ProblemInfo:
    soup = BeautifulSoup(html, "html.parser")
    title = _text(soup.select_one("#problem_title"))
    if not title:
        raise ExtractError("no #problem_title: not a Baekjoon problem page")
    cells = [c.get_text(" ", strip=True) for c in soup.select("#problem-info tbody td")]
    if len(cells) < 2:
        raise ExtractError("no time and memory limits (#problem-info)")
    samples = []
    for i in range(1, 50):
        inp, out = soup.select_one(f"#sample-input-{i}"), soup.select_one(f"#sample-output-{i}")
        if inp is None or out is None:
            break
        samples.append((inp.get_text(), out.get_text()))
    return ProblemInfo(
        platform="baekjoon",
        problem_id=problem_id_from_url(url),
        title=title,
        time_limit_ms=int(_number(cells[0], "time limit") * 1000),
        memory_limit_mb=int(_number(cells[1], "memory limit")),
        statement=_text(soup.select_one("#problem_description")),
        input_spec=_text(soup.select_one("#problem_input")),
        output_spec=_text(soup.select_one("#problem_output")),
        samples=samples,
    )


def parse_codeforces(html: str, url: str) -> ProblemInfo:
    soup = BeautifulSoup(html, "html.parser")
    root = soup.select_one(".problem-statement")
    if root is None:
        raise ExtractError("no .problem-statement: not a Codeforces problem page")
    title = _text(root.select_one(".header .title"))
    for label in root.select(".header .property-title"):
        label.decompose()  # "time limit per test" labels sit inside the value nodes
    time_s = _number(_text(root.select_one(".header .time-limit")), "time limit")
    memory = _number(_text(root.select_one(".header .memory-limit")), "memory limit")
    sections = root.find_all("div", recursive=False)
    statement = _text(sections[1]) if len(sections) > 1 else ""
    inputs = [p.get_text("\n") for p in root.select(".sample-test .input pre")]
    outputs = [p.get_text("\n") for p in root.select(".sample-test .output pre")]
    return ProblemInfo(
        platform="codeforces",
        problem_id=problem_id_from_url(url),
        title=re.sub(r"^[A-Z]\d?\.\s*", "", title),
        time_limit_ms=int(time_s * 1000),
        memory_limit_mb=int(memory),
        statement=statement,
        input_spec=_text(root.select_one(".input-specification")),
        output_spec=_text(root.select_one(".output-specification")),
        samples=list(zip(inputs, outputs, strict=False)),
    )


def parse(html: str, url: str) -> ProblemInfo:
    """Pick the parser by the page's own markers (the host may be a mirror or a test server)."""
    if 'id="problem_title"' in html:
        return parse_baekjoon(html, url)
    if "problem-statement" in html:
        return parse_codeforces(html, url)
    raise ExtractError("the page is neither a Baekjoon nor a Codeforces problem page")
