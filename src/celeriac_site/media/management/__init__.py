"""Management commands of the media pipeline."""
