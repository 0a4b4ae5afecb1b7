"""Why an item could not be analysed; each error says whether trying again can help."""

from __future__ import annotations


class MediaError(Exception):
    """An item cannot be analysed; the message is stored as the item's failure reason."""

    retryable = False


class FileMissing(MediaError):
    """The stored file is not there (deleted, wrong path, unmounted volume)."""


class UnreadableMedia(MediaError):
    """The file is not a photo or video the decoders can read (corrupt, truncated, wrong type)."""


class TooManyPixels(MediaError):
    """The image (or video frame) is larger than the decompression-bomb guard allows."""


class NoFrames(MediaError):
    """The video has no video stream or no decodable frame."""


class ItemTimeout(MediaError):
    """Analysing the item took longer than the per-item timeout; a later attempt may succeed."""

    retryable = True


class ModelUnavailable(MediaError):
    """A model could not be loaded from its package; fix the installation, then reprocess."""

    retryable = True


class CaptionerError(MediaError):
    """The external captioner failed; the template description is used instead."""

    retryable = True
