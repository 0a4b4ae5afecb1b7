"""Benchmarks: stock Celery vs Celeriac's I/O profile vs the same settings without the task base."""
