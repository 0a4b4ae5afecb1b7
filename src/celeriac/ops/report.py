"""The report every ops engine returns: findings that count outcomes and own the exit code."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET


class Status(StrEnum):
    PASS = "pass"  #: checked and right
    FAIL = "fail"  #: checked and wrong: fails the command when the finding is required
    WARN = "warn"  #: worth a look; never fails the command
    SKIP = "skip"  #: could not be checked here (the reason says why); never counts as a pass


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One checked thing: a stable id (e.g. ``C001``), what was found, why it matters, how to fix it."""

    id: str
    title: str
    status: Status
    severity: Severity = Severity.ERROR
    message: str = ""
    fix: str = ""
    seconds: float = 0.0
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Failing an error-severity finding fails the command; warnings never do."""
        return self.status is Status.FAIL and self.severity is Severity.ERROR


@dataclass
class Report:
    """What a command found. ``exit_code`` is 0 only when no required finding failed."""

    command: str
    target: str
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def add(self, finding: Finding) -> Finding:
        self.findings.append(finding)
        return finding

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for f in self.findings:
            out[f.status.value] += 1
        return out

    @property
    def ok(self) -> bool:
        return not any(f.failed for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "target": self.target,
            "ok": self.ok,
            "counts": self.counts(),
            "summary": self.summary,
            "findings": [
                {**asdict(f), "status": f.status.value, "severity": f.severity.value} for f in self.findings
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)

    def to_junit(self) -> str:
        """JUnit XML: one testcase per finding; FAIL → <failure> (errors) or <system-out> (warnings)."""
        counts = self.counts()
        failures = sum(1 for f in self.findings if f.failed)
        suite = ET.Element(
            "testsuite",
            name=f"celeriac {self.command}",
            tests=str(len(self.findings)),
            failures=str(failures),
            errors="0",
            skipped=str(counts["skip"]),
            time=f"{sum(f.seconds for f in self.findings):.3f}",
        )
        for f in self.findings:
            case = ET.SubElement(
                suite, "testcase", classname=f"celeriac.{self.command}", name=f"{f.id} {f.title}",
                time=f"{f.seconds:.3f}",
            )  # fmt: skip
            if f.failed:
                failure = ET.SubElement(case, "failure", message=f.message or f.title, type=f.id)
                failure.text = "\n".join(x for x in (f.message, f"fix: {f.fix}" if f.fix else "") if x)
            elif f.status is Status.SKIP:
                ET.SubElement(case, "skipped", message=f.message)
            elif f.message:
                ET.SubElement(case, "system-out").text = f"{f.status.value}: {f.message}"
        root = ET.Element("testsuites")
        root.append(suite)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True)

    def write_junit(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_junit(), encoding="utf-8")
