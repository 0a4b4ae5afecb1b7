"""Integration tests of the judge sandbox: real bubblewrap boxes, languages, and the attack suite."""
