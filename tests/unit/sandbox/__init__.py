"""Unit tests of the judge sandbox: pure verdict logic, checkers, the seccomp generator, stand-ins."""
