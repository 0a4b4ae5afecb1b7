"""The two benchmark workloads, declared as a user would declare fire-and-forget I/O calls."""

from __future__ import annotations

from celeriac import Declarations, declare

QUEUE = "bench_io"
NOOP = declare("bench.noop", kind="io", queue=QUEUE, description="does nothing but count itself")
SLEEP50 = declare("bench.sleep50", kind="io", queue=QUEUE, description="waits 50 ms, like a short I/O call")
DECLARATIONS = Declarations(NOOP, SLEEP50)
