"""Unit tests of the ops engines."""
