"""The management commands as an operator runs them: separate processes, no Celery worker anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.media.conftest import store
from tests.unit.media.samples import cat_in_the_middle_video, sample_jpeg

pytestmark = pytest.mark.integration


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "celeriac_site.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def claimable(kind: str) -> int:
    from celeriac_site.media.services.batch import count_claimable
    from celeriac_site.media.validation import MediaKind

    return count_claimable(MediaKind(kind))


def test_process_photos_ai_honours_the_limit_and_completes_items(
    media_env: dict[str, str], media_root: Path
) -> None:
    from celeriac_site.media.models import Photo

    mine = [store("photo", sample_jpeg(name)) for name in ("chelsea", "coffee", "rocket")]
    Photo.objects.filter(pk=mine[1]).update(file="photos/not-there.jpg")
    before = claimable("photo")
    done = manage(media_env, "process_photos_ai", "--limit", "2")
    assert done.returncode == 0, done.stderr
    assert "Processed 2 photos" in done.stdout
    assert claimable("photo") == before - 2
    rest = manage(media_env, "process_photos_ai", "--limit", str(before))
    assert rest.returncode == 0, rest.stderr
    states = dict(Photo.objects.filter(pk__in=mine).values_list("pk", "processing_status"))
    assert states == {mine[0]: "completed", mine[1]: "failed", mine[2]: "completed"}
    assert f"photo {mine[1]} failed: the file is missing" in done.stdout + rest.stdout
    assert "cat" in Photo.objects.get(pk=mine[0]).tags.values_list("name", flat=True)


def test_process_videos_ai(media_env: dict[str, str], media_root: Path) -> None:
    from celeriac_site.media.models import Video

    pk = store("video", cat_in_the_middle_video())
    done = manage(media_env, "process_videos_ai", "--limit", str(claimable("video")))
    assert done.returncode == 0, done.stderr
    video = Video.objects.get(pk=pk)
    assert video.processing_status == "completed" and video.duration_s
    assert "cat" in video.tags.values_list("name", flat=True)


def test_a_negative_limit_is_an_error(django_ready: None) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--limit must be >= 0"):
        call_command("process_photos_ai", limit=-1)


def test_check_ai_models_self_tests_and_reports_versions(media_env: dict[str, str]) -> None:
    done = manage(media_env, "check_ai_models", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and len(report["checks"]) == 4
    assert report["versions"]["classifier"] == "efficientnet-lite0 0.1.0 (57934424)"
    assert report["versions"]["torch"].startswith("2.13.0")


def test_check_ai_models_prints_a_table(django_ready: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("check_ai_models", stdout=out)
    assert "classify the bundled cat photo" in out.getvalue() and "efficientnet-lite0" in out.getvalue()
