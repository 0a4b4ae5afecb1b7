"""An upload handler that stops reading a request body as soon as it passes the size limit."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

#: Room for the multipart boundaries and part headers around the file in the request body.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class SizeLimitHandler(FileUploadHandler):
    """Counts file bytes before Django's own handlers store them; past ``limit_bytes`` it stops.

    Without it, Django would spool the whole body to a temporary file before the view could say no.
    """

    def __init__(self, limit_bytes: int, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit_bytes = limit_bytes
        self.received_bytes = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received_bytes += len(raw_data)
        if self.received_bytes > self.limit_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
