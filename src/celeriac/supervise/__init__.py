"""Run a whole deployment: services, migrations, the worker fleet, beat and web, and stop it again."""
