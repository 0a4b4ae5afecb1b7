"""Find the compare source of an app: ``--source module:attr`` or the app's ``celeriac_compare_source``."""

from __future__ import annotations

import importlib
from typing import Any, cast

from celeriac.errors import CeleriacError
from celeriac.ops.compare.model import CompareSource

#: The Celery setting naming the source (``CELERY_CELERIAC_COMPARE_SOURCE`` in Django settings).
SETTING = "celeriac_compare_source"


class SourceError(CeleriacError):
    """No compare source could be found or loaded; the message says how to name one."""


def load_source(celery_app: Any, spec: str | None = None) -> CompareSource:
    """Import the source named by ``spec`` or by the app's configuration and return it.

    The attribute may be a source or a callable returning one (so importing it stays cheap).
    """
    name = spec or celery_app.conf.get(SETTING)
    if not name:
        raise SourceError(
            f"the app names no compare source: set {SETTING} (Django: CELERY_{SETTING.upper()}) to "
            "'module:attr', or pass --source"
        )
    module, _, attr = str(name).partition(":")
    if not attr:
        raise SourceError(f"compare source {name!r} must be 'module:attr'")
    try:
        found = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise SourceError(f"cannot load the compare source {name!r}: {exc}") from None
    # A class or a factory function is called; an instance (anything with stored()) is used as is.
    factory = isinstance(found, type) or (callable(found) and not hasattr(found, "stored"))
    source = found() if factory else found
    if not (hasattr(source, "run") and hasattr(source, "stored")):
        raise SourceError(f"compare source {name!r} has no run()/stored(): see celeriac.ops.compare.model")
    return cast(CompareSource, source)
