"""One JSON line per task run: id, name, queue, attempt, duration, outcome, DB queries."""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger("celeriac.task")


def emit(fields: dict[str, Any], *, level: int = logging.INFO) -> None:
    """Log the fields as one JSON object, so any formatter keeps them machine-readable."""
    if logger.isEnabledFor(level):
        logger.log(level, json.dumps(fields, default=str, separators=(",", ":")))
