"""Benchmark of the legacy bridge: the same job set through the legacy queue and through Celery, one run."""
