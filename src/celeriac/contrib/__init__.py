"""Integrations with frameworks Celeriac runs inside."""
