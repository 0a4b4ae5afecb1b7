"""WSGI entry point for the web process ``celeriac up`` starts."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "celeriac_site.settings")
application = get_wsgi_application()
