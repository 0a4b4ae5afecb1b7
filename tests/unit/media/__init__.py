"""Unit tests of the media pipeline: pure logic, and the models on sample photos."""
