"""Limits of the media pipeline: every bound a documented constant with its unit in the name."""

from __future__ import annotations

#: Largest photo accepted at upload. Django settings ``MEDIA_AI_MAX_PHOTO_BYTES`` overrides it.
MAX_PHOTO_BYTES = 30 * 1024 * 1024

#: Largest video accepted at upload. Django settings ``MEDIA_AI_MAX_VIDEO_BYTES`` overrides it.
MAX_VIDEO_BYTES = 200 * 1024 * 1024

#: Decompression-bomb guard: an image (or video frame) with more pixels is refused before it is
#: decoded. 50 MP covers every current camera and decodes to ~150 MB of RGB, which keeps a worker
#: process within its 500 MB budget; a 20000 x 20000 PNG (400 MP, ~1.2 GB decoded) is refused.
MAX_PIXELS = 50_000_000

#: The analysed copy of an image is at most this many pixels on its longest side (the original on
#: disk is never modified). Large JPEGs are decoded straight to about this size (Pillow draft mode).
ANALYSIS_MAX_SIDE_PX = 512

#: Bytes read from the start of an upload to recognise its type by content.
SNIFF_BYTES = 64

#: Frames a video may be scanned for when its duration is unknown (counting to find the middle).
MAX_SCANNED_FRAMES = 100_000

#: An item whose processing was claimed this many times without finishing is failed for good: a
#: file that kills the worker every time must not be redelivered forever.
MAX_ATTEMPTS = 3

#: A claim older than the per-item timeout plus this grace belongs to a dead worker.
STALE_CLAIM_GRACE_S = 60

#: Defaults of the database-held AI settings (editable in the admin, read at run time).
DEFAULT_BATCH_SIZE = 500
DEFAULT_PER_ITEM_TIMEOUT_S = 120

#: The per-item timeout an admin may set. The upper bound stays below the soft time limit of the
#: per-item tasks (600 s hard, 540 s soft), so the database timeout always fires first.
MIN_PER_ITEM_TIMEOUT_S = 5
MAX_PER_ITEM_TIMEOUT_S = 500

#: A failed item counts in the health figures for this long; pending items older than the stuck
#: threshold are reported as stuck.
FAILED_WINDOW_S = 24 * 3600
STUCK_PENDING_S = 7 * 24 * 3600
