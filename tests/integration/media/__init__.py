"""Integration tests of the media pipeline: real PostgreSQL, Redis, worker processes and web server."""
