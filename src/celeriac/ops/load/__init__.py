"""``celeriac load``: send N tasks at a rate or concurrency and account for every one by id."""

from celeriac.ops.load.engine import run_load
from celeriac.ops.load.plan import Plan, PlanError, TaskSpec, declared_mix, parse_rate, specs_from_options

__all__ = ["Plan", "PlanError", "TaskSpec", "declared_mix", "parse_rate", "run_load", "specs_from_options"]
