"""``manage.py process_photos_ai --limit N``: process pending photos here, without Celery."""

from celeriac_site.media.management.commands._batch import ProcessCommand
from celeriac_site.media.validation import MediaKind


class Command(ProcessCommand):
    help = "Process up to --limit pending photos in this process (no Celery needed), with a progress bar."
    kind = MediaKind.PHOTO
