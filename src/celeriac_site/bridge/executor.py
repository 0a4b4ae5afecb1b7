"""``python -m celeriac_site.bridge.executor --name executor-1``: one legacy executor process."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from celeriac_site.bridge import conf
from celeriac_site.bridge.services.executor import Executor, Options
from celeriac_site.bridge.services.legacy_queue import LegacyQueue

CONSUMER_TIMEOUT_S = 10.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m celeriac_site.bridge.executor", description=__doc__)
    parser.add_argument("--name", required=True, help="unique per executor: names its processing list")
    parser.add_argument("--redis-url", default=None, help="the queue Redis [BRIDGE_REDIS_URL]")
    parser.add_argument(
        "--trim-trailing-whitespace",
        action="store_true",
        help="legacy quirk: strip each test's output on the right (the comparison must catch it)",
    )
    parser.add_argument(
        "--time-limit-ms", type=int, default=None, help="legacy quirk: this CPU limit for every job"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Longer than the BLMOVE block (Options.poll_s), or every idle poll would end in a timeout error.
    queue = LegacyQueue.from_url(args.redis_url or conf.redis_url(), socket_timeout_s=CONSUMER_TIMEOUT_S)
    options = Options(
        name=args.name,
        trim_trailing_whitespace=args.trim_trailing_whitespace,
        time_limit_ms=args.time_limit_ms,
        heartbeat_ttl_s=conf.heartbeat_ttl_s(),
    )
    stop = threading.Event()
    # SIGTERM: finish the job in hand, then exit (what `celeriac down` sends).
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    Executor(queue, options).serve(stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
