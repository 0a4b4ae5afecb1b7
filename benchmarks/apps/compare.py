"""Check that the bare app's effective settings equal the Celeriac-configured app's; prints JSON."""

from __future__ import annotations

import json
from typing import Any


def differences() -> dict[str, Any]:
    """Keys whose values differ between ``bare`` and ``celeriac_profile`` (their ``main`` aside)."""
    from benchmarks.apps import bare, celeriac_profile

    ours, theirs = celeriac_profile.app.conf, bare.app.conf
    keys = sorted(set(ours) | set(theirs))
    differ = {
        key: {"celeriac_profile": repr(ours.get(key)), "bare": repr(theirs.get(key))}
        for key in keys
        if ours.get(key) != theirs.get(key)
    }
    return {"compared": len(keys), "differ": differ}


if __name__ == "__main__":
    print(json.dumps(differences()))
