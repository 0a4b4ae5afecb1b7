"""Every command reaches the running deployment's services when the environment names none."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from celeriac.supervise.processes import Managed, StateFile, running
from celeriac.supervise.state import use_running_deployment

RECORDED = {
    "redis_url": "redis://127.0.0.1:4001/0",
    "database_url": "postgresql://postgres@127.0.0.1:4002/celeriac",
    "web_url": "http://127.0.0.1:8000",
    "BRIDGE_REDIS_URL": "redis://127.0.0.1:4003/0",
}


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StateFile:
    monkeypatch.setenv("CELERIAC_VAR", str(tmp_path))
    for var in ("REDIS_URL", "DATABASE_URL", "BRIDGE_REDIS_URL"):
        # Empty counts as unset, and unlike delenv of an absent variable, setenv is always undone.
        monkeypatch.setenv(var, "")
    return StateFile(tmp_path / "run" / "deployment.json")


def test_urls_of_a_running_deployment_fill_the_unset_variables(
    state: StateFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://mine/db")
    state.write([Managed("web", os.getpid(), ("x",), "log")], RECORDED)
    use_running_deployment()
    assert os.environ["REDIS_URL"] == RECORDED["redis_url"]
    assert os.environ["BRIDGE_REDIS_URL"] == RECORDED["BRIDGE_REDIS_URL"]
    assert os.environ["DATABASE_URL"] == "postgresql://mine/db"  # the environment wins
    assert "web_url" not in os.environ and "WEB_URL" not in os.environ


def test_a_stopped_deployment_is_ignored(state: StateFile) -> None:
    state.write([Managed("web", 2**22 + 12345, ("x",), "log")], RECORDED)
    use_running_deployment()
    assert os.environ["REDIS_URL"] == ""


def test_a_recycled_pid_is_not_the_recorded_process(state: StateFile) -> None:
    # Our own pid, but recorded with another start time: the deployment's process is gone.
    me = Managed("web", os.getpid(), ("x",), "log", started=1.0)
    assert not running(me)
    state.write([me], RECORDED)
    use_running_deployment()
    assert os.environ["REDIS_URL"] == ""


def test_a_state_file_without_start_times_still_reads(state: StateFile) -> None:
    # Written before start times were recorded: the pid alone decides.
    state.path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"role": "web", "pid": os.getpid(), "argv": ["x"], "log": "log"}
    state.path.write_text(json.dumps({"processes": [entry], **RECORDED}))
    use_running_deployment()
    assert os.environ["REDIS_URL"] == RECORDED["redis_url"]
