"""Integration tests of the ops engines."""
