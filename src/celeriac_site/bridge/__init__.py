"""The legacy bridge (seed 003): a home-grown Redis queue and Celery side by side, compared field by field."""
