"""Django settings of the reference deployment; services come from REDIS_URL and DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

from celeriac_site.bridge import conf as bridge_conf
from celeriac_site.urls_env import database_settings, redis_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CELERIAC_VAR", Path.cwd() / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "celeriac-dev-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "celeriac.contrib.django",
    "celeriac_site.demo",
    "celeriac_site.judge",
    "celeriac_site.media",
    "celeriac_site.bridge",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "celeriac_site.urls"
WSGI_APPLICATION = "celeriac_site.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Broker and results on database 0, the cache on database 1: the cache may evict, the broker never.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": redis_url(int(os.environ.get("CELERIAC_CACHE_DB", "1"))),
        "KEY_PREFIX": "site",
    }
}

USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("CELERIAC_MEDIA_ROOT", VAR_DIR / "media"))
#: Non-file request bodies above this are refused; file uploads are bounded by the media app's own
#: limits (Content-Length and an upload handler that stops reading at the limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CELERY_BROKER_URL = redis_url()
CELERY_RESULT_BACKEND = redis_url()
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
#: `celeriac verify` runs this suite too: the seed-000/002 checklist items, by name.
CELERY_CELERIAC_VERIFY_SUITE = "celeriac_site.verify_suite"
#: `celeriac doctor` calls these (P013): failed items in the last 24 h, backlog, stuck items.
CELERY_CELERIAC_HEALTH_CHECKS = ["celeriac_site.media.services.health.health_figures"]

# Crash tests shorten the visibility timeout so a message of a killed worker comes back in seconds.
# Celeriac merges these options with its own and sets the same value in all three places.
if os.environ.get("CELERIAC_VISIBILITY_TIMEOUT_S"):
    _vt = int(os.environ["CELERIAC_VISIBILITY_TIMEOUT_S"])
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _vt}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": _vt}
    CELERY_VISIBILITY_TIMEOUT = _vt

# Legacy bridge (seed 003): its queue Redis is not Celery's broker; Flower runs beside the site.
BRIDGE_REDIS_URL = bridge_conf.redis_url()
CELERY_CELERIAC_COMPARE_SOURCE = "celeriac_site.bridge.dualrun:source"
FLOWER_URL = os.environ.get("FLOWER_URL", "http://127.0.0.1:5555")
#: "user:password" Flower demands (FLOWER_BASIC_AUTH is also Flower's own variable); /flower/ sends it.
FLOWER_BASIC_AUTH = os.environ.get("FLOWER_BASIC_AUTH", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"celeriac": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
