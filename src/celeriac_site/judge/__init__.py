"""The code judge (seeds 000, 001, 003, 004): sandboxed execution, test generation, hints, extraction."""
