"""``up`` starts the extra processes after the workers and ``down`` stops them; one dying fails ``up``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from celeriac.errors import ServiceError
from celeriac.supervise import deployment
from celeriac.supervise.deployment import Plan
from celeriac.supervise.processes import StateFile, running

pytestmark = pytest.mark.integration


def test_extra_processes_start_and_stop_with_the_deployment(
    tmp_path: Path, bridge_env: dict[str, str], queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in bridge_env.items():
        monkeypatch.setenv(key, value)
    executor = (sys.executable, "-m", "celeriac_site.bridge.executor", "--name", "executor-up")
    plan = Plan(app="celeriac_site", fleet=(), beat=False, extra=(("executor-up", executor),))
    deployed = deployment.up(plan, tmp_path)
    try:
        (proc,) = deployed.processes
        assert proc.role == "executor-up" and running(proc)
        assert StateFile(tmp_path / "run" / "deployment.json").read()[0] == [proc]
    finally:
        stopped = deployment.down(tmp_path)
    assert stopped == ["executor-up"] and not running(proc)
    assert "executor_stop" in Path(proc.log).read_text()  # SIGTERM: a clean stop, not a kill


def test_an_extra_process_that_dies_fails_up_and_nothing_stays_running(
    tmp_path: Path, services: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in services.items():
        monkeypatch.setenv(key, value)
    sleeper = ("sleeper", (sys.executable, "-c", "import time; time.sleep(60)"))
    broken = ("broken", (sys.executable, "-c", "import time; time.sleep(0.2); raise SystemExit('no port')"))
    plan = Plan(app="celeriac_site", fleet=(), beat=False, extra=(sleeper, broken))
    with pytest.raises(ServiceError, match="broken exited during start-up: no port"):
        deployment.up(plan, tmp_path)
    assert StateFile(tmp_path / "run" / "deployment.json").read() == ([], {})
    assert deployment.down(tmp_path) == []
