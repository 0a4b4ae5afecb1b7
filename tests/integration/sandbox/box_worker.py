"""A stand-in worker for the kill -9 test: opens a box, prints its uid and slot, runs a forking sleeper."""

from __future__ import annotations

import sys

from celeriac_site.judge.sandbox import Limits, Sandbox

SLEEPER = "import os, time\nos.fork()\nwhile True:\n    time.sleep(1)\n"


def main() -> None:
    uid_base, workdir = int(sys.argv[1]), sys.argv[2]
    sandbox = Sandbox(uid_base=uid_base, workdir=workdir)
    with sandbox.box("python", Limits(time_ms=60_000, wall_time_ms=60_000)) as box:
        box.compile(SLEEPER)
        print(box.uid, box.lease.slot, flush=True)
        box.run(b"")  # never returns: the test kills this process with SIGKILL first


if __name__ == "__main__":
    main()
