"""An app module that fails while importing, as a typo in a real project does."""

raise RuntimeError("settings are incomplete: SECRET_KEY is not set")
