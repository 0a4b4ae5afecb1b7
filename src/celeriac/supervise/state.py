"""Where a running deployment is recorded, and how other commands find its services."""

from __future__ import annotations

import os
from pathlib import Path

from .processes import StateFile, running


def var_root() -> Path:
    """``CELERIAC_VAR`` or ``./var``: data, logs and state of the deployment."""
    return Path(os.environ.get("CELERIAC_VAR", "var"))


def use_running_deployment(root: Path | None = None) -> None:
    """Point REDIS_URL/DATABASE_URL at the deployment ``celeriac up`` started, unless they are set.

    After ``celeriac up`` on embedded services, ``celeriac doctor`` and the other commands then talk to
    the same broker and database as the fleet, without the operator copying URLs around.
    """
    try:
        managed, data = StateFile((root or var_root()) / "run" / "deployment.json").read()
    except (OSError, ValueError, KeyError, TypeError):
        return  # unreadable: as if nothing were recorded
    # A deployment that crashed leaves its state file behind: only a live one counts.
    if not any(running(m) for m in managed):
        return
    # redis_url/database_url, and every upper-case entry (extra service URLs such as BRIDGE_REDIS_URL).
    names = {"redis_url": "REDIS_URL", "database_url": "DATABASE_URL"}
    for key, value in data.items():
        var = names.get(key, key if key.isupper() else None)
        if var and isinstance(value, str) and not os.environ.get(var):
            os.environ[var] = value
