"""Free ports, port-in-use detection and process checks, against real sockets and processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import psutil

from celeriac.embedded.ports import free_port, port_in_use, process_running, processes_in, terminate


def test_free_port_can_be_bound() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_port_in_use_while_listening_and_free_after_close() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert port_in_use(port)
        # A connection leaves the port in TIME_WAIT after close; servers reuse it, so we must too.
        with socket.create_connection(("127.0.0.1", port)):
            pass
    assert not port_in_use(port)


def test_process_running_checks_name_and_liveness() -> None:
    me = psutil.Process().name()
    assert process_running(os.getpid(), me)
    assert not process_running(os.getpid(), me + "-not")
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not process_running(child.pid, me)


def test_terminate_stops_a_process_found_by_its_cwd(tmp_path: Path) -> None:
    child = subprocess.Popen(["sleep", "30"], cwd=tmp_path)
    try:
        assert processes_in(tmp_path, "sleep") == [child.pid]
        assert terminate(child.pid, "sleep", timeout=5)
        assert not process_running(child.pid, "sleep")  # a zombie until reaped, and that counts as gone
        assert not terminate(child.pid, "sleep", timeout=5)
    finally:
        child.kill()
        child.wait()
