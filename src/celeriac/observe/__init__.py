"""Observation: structured task logs and per-task database query counting."""
