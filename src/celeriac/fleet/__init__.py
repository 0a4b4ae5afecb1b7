"""The worker fleet: one worker per queue family, its pool chosen on the command line."""

from celeriac.fleet.spec import FamilyOverride, WorkerSpec, plan_fleet

__all__ = ["FamilyOverride", "WorkerSpec", "plan_fleet"]
