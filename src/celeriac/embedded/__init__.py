"""Embedded Valkey and PostgreSQL for development, started under a root directory and reused across runs."""

from celeriac.embedded.ports import free_port, port_in_use
from celeriac.embedded.stack import Service, Stack

__all__ = ["Service", "Stack", "free_port", "port_in_use"]
