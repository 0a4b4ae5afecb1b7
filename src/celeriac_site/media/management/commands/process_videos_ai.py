"""``manage.py process_videos_ai --limit N``: process pending videos here, without Celery."""

from celeriac_site.media.management.commands._batch import ProcessCommand
from celeriac_site.media.validation import MediaKind


class Command(ProcessCommand):
    help = "Process up to --limit pending videos in this process (no Celery needed), with a progress bar."
    kind = MediaKind.VIDEO
