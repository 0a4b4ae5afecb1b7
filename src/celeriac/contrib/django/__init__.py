"""Django integration: query counting, caching, effects, system checks (``celeriac.contrib.django``)."""
