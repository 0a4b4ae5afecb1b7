"""Apps for `celeriac chaos` and `celeriac load` tests: a Celery app on stock defaults."""
