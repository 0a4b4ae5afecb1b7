"""``python -m benchmarks.media.run [--quick]``: photos/s and peak RSS per worker process, c=1 and c=2."""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.media import report
from benchmarks.media.measure import RunResult, pipeline_cpu_ms, run
from benchmarks.media.stack import stack
from benchmarks.media.worker import ROOT

RESULTS_JSON = ROOT / "benchmarks" / "media" / "results.json"
LOG_DIR = ROOT / "var" / "bench" / "media"
SAMPLES = ("chelsea", "coffee", "astronaut", "rocket", "motorcycle")
CONCURRENCIES = (1, 2)


def sample_photos() -> list[bytes]:
    """scikit-image's sample photos as JPEGs (quality 90), as a user would upload them."""
    import numpy as np
    from PIL import Image
    from skimage import data

    out = []
    for name in SAMPLES:
        pixels = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()  # type: ignore[no-untyped-call]
        buf = io.BytesIO()
        Image.fromarray(np.asarray(pixels)).convert("RGB").save(buf, format="JPEG", quality=90)
        out.append(buf.getvalue())
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.media.run", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="1 repetition of 20 photos: checks that it works"
    )
    parser.add_argument("--reps", type=int, help="repetitions per concurrency (default 3; 1 with --quick)")
    parser.add_argument("--photos", type=int, help="photos per measured run (default 80; 20 with --quick)")
    parser.add_argument("--json", type=Path, default=RESULTS_JSON, help="raw results (JSON)")
    parser.add_argument(
        "--render-only", action="store_true", help="measure nothing: print --json as Markdown"
    )
    args = parser.parse_args(argv)
    if args.render_only:
        print(report.markdown(json.loads(args.json.read_text())))
        return
    reps = args.reps or (1 if args.quick else 3)
    n = args.photos or (20 if args.quick else 80)
    photos = sample_photos()
    began = time.monotonic()
    with stack() as services:
        os.environ.update(services.env)  # this process sends tasks and reads results as the site would
        import django

        django.setup()
        runs: list[RunResult] = []
        order = list(CONCURRENCIES)
        for rep in range(reps):
            for c in order[rep % 2 :] + order[: rep % 2]:  # interleaved, the order rotated each repetition
                result = run(c, n, photos, services.env, LOG_DIR / f"c{c}-r{rep}.log")
                runs.append(result)
                print(f"[{rep + 1}/{reps}] {report.line(result)}", flush=True)
        paths = []
        for i, data in enumerate(photos):
            path = services.media_root / f"pipeline-{i}.jpg"
            path.write_bytes(data)
            paths.append(path)
        pipeline = pipeline_cpu_ms(paths, rounds=2 if args.quick else 6)
    meta: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.media.run" + (" --quick" if args.quick else ""),
        "elapsed_s": round(time.monotonic() - began, 1),
        "repetitions": reps,
        "photos_per_run": n,
        "samples": list(SAMPLES),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {p: version(p) for p in ("celery", "torch", "opencv-python-headless", "pillow", "av")},
    }
    results = report.build(meta, runs, pipeline)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(report.markdown(results))


if __name__ == "__main__":
    main()
