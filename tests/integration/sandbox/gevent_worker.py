"""A gevent worker: greenlets judge at once while another greenlet uses gevent's subprocess."""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402  (after monkey-patching, as a gevent worker does)
import subprocess  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402

from celeriac_site.judge.sandbox import Limits, Sandbox, evaluate  # noqa: E402

SOURCE = '#include <stdio.h>\nint main(void) { int x; scanf("%d", &x); printf("%d\\n", 2 * x); }'
TESTS = [("2", "4"), ("3", "6"), ("5", "11")]


def main() -> None:
    sandbox = Sandbox(uid_base=int(sys.argv[1]), workdir=sys.argv[2])

    def judge() -> dict[str, object]:
        return evaluate(
            "c", SOURCE, TESTS, limits=Limits(time_ms=1000, memory_mb=64), sandbox=sandbox
        ).to_dict()

    def bystander() -> None:  # starts libev's SIGCHLD reaper, which calls waitpid(-1)
        for _ in range(5):
            subprocess.run(["/bin/true"], check=True)

    greenlets = [gevent.spawn(judge) for _ in range(3)] + [gevent.spawn(bystander)]
    gevent.joinall(greenlets, raise_error=True)
    print(json.dumps([g.value for g in greenlets[:3]]))


if __name__ == "__main__":
    main()
