"""The media pipeline's part of the main job: sample photos uploaded over HTTP, described and tagged."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx

from celeriac_site.mainjob.report import Outcome, Section

#: scikit-image's sample photos and a tag each must get (seed 002: "AI tags created").
SAMPLES = {"chelsea": {"cat"}, "coffee": {"coffee", "drink", "cup"}, "astronaut": {"person", "face"}}
TIMEOUT_S = 180


def _jpeg(name: str) -> bytes:
    from PIL import Image
    from skimage import data

    buf = io.BytesIO()
    Image.fromarray(getattr(data, name)()).convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue()


def run(web_url: str | None) -> list[Section]:
    if not web_url:
        return []
    section = Section("media: photos uploaded over HTTP, processed on the cpu family")
    with httpx.Client(base_url=f"{web_url}/media-ai", timeout=60) as client:
        started = time.monotonic()
        sent: dict[str, int] = {}
        for name in SAMPLES:
            resp = client.post("/api/photos", files={"file": (f"{name}.jpg", _jpeg(name), "image/jpeg")})
            if resp.status_code != 201:
                section.outcomes.append(
                    Outcome(f"upload {name}", "media", "web", "201", str(resp.status_code), False, 0.0)
                )
                continue
            sent[name] = resp.json()["id"]
        done: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + TIMEOUT_S
        while len(done) < len(sent) and time.monotonic() < deadline:
            for name, pk in sent.items():
                item = client.get(f"/api/photos/{pk}").json()
                if item["processing_status"] in ("completed", "failed"):
                    done[name] = item
            time.sleep(0.3)
        seconds = round(time.monotonic() - started, 2)
        for name, want in SAMPLES.items():
            item = done.get(name, {})
            tags = {t["name"] if isinstance(t, dict) else str(t) for t in item.get("tags", [])}
            ok = item.get("processing_status") == "completed" and bool(tags & want)
            shown = ", ".join(sorted(tags))[:40] or str(item.get("processing_status", "no answer"))
            section.outcomes.append(
                Outcome(f"{name}.jpg tagged", "media", "cpu", "/".join(sorted(want)), shown, ok, seconds)
            )
        bad = client.post("/api/photos", files={"file": ("x.jpg", b"not an image", "image/jpeg")})
        section.outcomes.append(
            Outcome(
                "a non-image upload is refused",
                "-",
                "web",
                "415",
                str(bad.status_code),
                bad.status_code == 415,
                0.0,
            )
        )
    return [section]
