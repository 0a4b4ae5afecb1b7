"""``celeriac chaos``: kill workers and restart services mid-task; count lost and duplicated work."""

from celeriac.ops.chaos.engine import Options, run_chaos
from celeriac.ops.chaos.fleet import ChaosFleet
from celeriac.ops.chaos.scenarios import Scenario

__all__ = ["ChaosFleet", "Options", "Scenario", "run_chaos"]
