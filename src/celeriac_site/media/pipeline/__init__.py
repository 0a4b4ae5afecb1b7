"""The vision pipeline, free of Django and Celery: decode, classify, detect, tag and describe."""
