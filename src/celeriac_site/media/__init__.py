"""The media AI pipeline (seed 002): photos and videos described and tagged by Celery workers."""
